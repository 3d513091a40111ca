import { z } from "zod";
import { SegmentReportSchema } from "./segments";

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

/** An audio input the mix used, where it sits in the film. */
export const AudioStemSchema = z.object({
  kind: z.enum(["dialogue", "music", "clip"]),
  /** The spec's URL of the input. */
  url: z.string(),
  scene: z.number().int().nonnegative().optional(),
  line: z.number().int().nonnegative().optional(),
  speaker: z.string().optional(),
  /** The spec's content hash (a line's `audio_hash`, a clip's `hash`). */
  hash: z.string().optional(),
  media_ref: z.string().optional(),
  /** Seconds from the film's start, and how long it plays. */
  start: z.number().nonnegative(),
  duration: z.number().nonnegative(),
});
export type AudioStem = z.infer<typeof AudioStemSchema>;

/** A scene as it came out: where it sits, how long it lasted, whether its body was reused. */
export const ShotReportSchema = z.object({
  index: z.number().int().nonnegative(),
  start: z.number().nonnegative(),
  duration: z.number().positive(),
  source: z.enum(["image", "clip", "card"]),
  /** Its body segment came from the segment cache (its pixels were not encoded again). */
  reused: z.boolean(),
});
export type ShotReport = z.infer<typeof ShotReportSchema>;

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
      fcpxml: OutputFileSchema.optional(),
      otio: OutputFileSchema.optional(),
      edl: OutputFileSchema.optional(),
    }),
    duration: z.number(),
    width: z.number().int(),
    height: z.number().int(),
    encoder: z.string(),
    render_seconds: z.number(),
    x_realtime: z.number(),
    shots: z.array(ShotReportSchema).optional(),
    segments: z.array(SegmentReportSchema).optional(),
    audio: z
      .object({
        stems: z.array(AudioStemSchema),
        /** Measured on the output with ffmpeg's ebur128, when the track was loudness-normalised. */
        loudness: z.object({ integrated_lufs: z.number(), true_peak_dbtp: z.number() }).optional(),
      })
      .optional(),
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
