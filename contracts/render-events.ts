import { z } from "zod";

/**
 * What the renderer tells the Worker about a render, POSTed signed to the spec's `callback_url` and
 * retried until acknowledged (2xx). `event_id` is stable across retries, so the receiver applies
 * each event once; `sequence` orders a render's events.
 */
const Base = {
  render_id: z.string(),
  event_id: z.string(),
  sequence: z.number().int().nonnegative(),
  sent_at: z.string(),
};

export const OutputFileSchema = z.object({
  /** The upload URL the file went to (identifies the object on the Worker's side). */
  url: z.string(),
  size: z.number().int().nonnegative(),
  content_type: z.string(),
});

export const RenderEventSchema = z.discriminatedUnion("type", [
  z.object({
    ...Base,
    type: z.literal("progress"),
    progress: z.number().min(0).max(1),
    stage: z.enum(["queued", "fetching", "rendering", "finishing", "uploading"]),
    eta_seconds: z.number().nonnegative().optional(),
  }),
  z.object({
    ...Base,
    type: z.literal("completed"),
    outputs: z.object({
      video: OutputFileSchema,
      srt: OutputFileSchema.optional(),
      vtt: OutputFileSchema.optional(),
      poster: OutputFileSchema.optional(),
      contact_sheet: OutputFileSchema.optional(),
    }),
    duration: z.number(),
    width: z.number().int(),
    height: z.number().int(),
    encoder: z.string(),
    render_seconds: z.number(),
    x_realtime: z.number(),
  }),
  z.object({ ...Base, type: z.literal("failed"), error: z.string(), retryable: z.boolean() }),
  z.object({ ...Base, type: z.literal("cancelled") }),
]);
export type RenderEvent = z.infer<typeof RenderEventSchema>;
export type RenderEventBody = RenderEvent extends infer E
  ? E extends RenderEvent
    ? Omit<E, keyof typeof Base>
    : never
  : never;
