import { z } from "zod";

/**
 * The render job both sides agree on: the Worker builds it (from an export's storyboards), the
 * renderer validates it with this same schema before doing anything.
 */
export const RESOLUTIONS = ["720p", "1080p", "4k"] as const;
export const ASPECT_RATIOS = ["9:16", "16:9", "1:1", "4:3", "3:4"] as const;
export const CARD_STYLES = ["anime", "realistic", "cinematic", "watercolor", "comic"] as const;
export const OUTPUT_FORMATS = ["mp4", "webm"] as const;

export type Resolution = (typeof RESOLUTIONS)[number];
export type AspectRatio = (typeof ASPECT_RATIOS)[number];
export type CardStyle = (typeof CARD_STYLES)[number];

/** Seconds two neighbouring scenes overlap in their crossfade. */
export const CROSSFADE_SECONDS = 0.5;

const SHORT_SIDE: Record<Resolution, number> = { "720p": 720, "1080p": 1080, "4k": 2160 };
const RATIO: Record<AspectRatio, [number, number]> = {
  "9:16": [9, 16],
  "16:9": [16, 9],
  "1:1": [1, 1],
  "4:3": [4, 3],
  "3:4": [3, 4],
};

/** The canvas: the short side from the resolution, the long side from the aspect ratio, both even. */
export function canvasSize(resolution: Resolution, aspect: AspectRatio): { width: number; height: number } {
  const short = SHORT_SIDE[resolution];
  const [w, h] = RATIO[aspect];
  const long = Math.round((short * Math.max(w, h)) / Math.min(w, h) / 2) * 2;
  return w >= h ? { width: long, height: short } : { width: short, height: long };
}

/** One figure everywhere (estimate, price, ffprobe check): scene durations minus the crossfades. */
export function videoLength(durations: readonly number[]): number {
  if (durations.length === 0) return 0;
  const sum = durations.reduce((a, b) => a + b, 0);
  return Math.round((sum - CROSSFADE_SECONDS * (durations.length - 1)) * 1000) / 1000;
}

export const UploadTargetSchema = z.object({
  /** A signed, single-use upload URL of the Worker (`/internal/uploads/{token}`). */
  url: z.url(),
  max_bytes: z.number().int().positive(),
});
export type UploadTarget = z.infer<typeof UploadTargetSchema>;

export const SceneSchema = z
  .object({
    /** A still for the scene; fetched only from the API origin. */
    image_url: z.url().optional(),
    /** Text of a card drawn when there is no image (the scene description). */
    text: z.string().max(1000).optional(),
    /** Dialogue, burned in when `include_subtitles` and written to the sidecars. */
    caption: z.string().max(500).optional(),
    duration: z
      .number()
      .min(CROSSFADE_SECONDS * 2)
      .max(120),
  })
  .strict();
export type Scene = z.infer<typeof SceneSchema>;

export const RenderSpecSchema = z
  .object({
    render_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    aspect_ratio: z.enum(ASPECT_RATIOS),
    resolution: z.enum(RESOLUTIONS),
    format: z.enum(OUTPUT_FORMATS).default("mp4"),
    fps: z.number().int().min(12).max(60).default(30),
    include_subtitles: z.boolean().default(true),
    style: z.enum(CARD_STYLES).default("cinematic"),
    title: z.string().max(200).optional(),
    scenes: z.array(SceneSchema).min(1).max(200),
    music_url: z.url().optional(),
    outputs: z
      .object({
        video: UploadTargetSchema,
        srt: UploadTargetSchema.optional(),
        vtt: UploadTargetSchema.optional(),
        poster: UploadTargetSchema.optional(),
        contact_sheet: UploadTargetSchema.optional(),
      })
      .strict(),
    /** Where progress, completion and failure events are POSTed (HMAC-signed). */
    callback_url: z.url(),
  })
  .strict();
export type RenderSpec = z.infer<typeof RenderSpecSchema>;
export type RenderSpecInput = z.input<typeof RenderSpecSchema>;

/** A still card: storyboard and character images of the built-in generator (`POST /v1/frames`). */
export const FrameRequestSchema = z
  .object({
    width: z.number().int().min(64).max(4096),
    height: z.number().int().min(64).max(4096),
    style: z.enum(CARD_STYLES),
    title: z.string().max(200).optional(),
    text: z.string().max(2000).default(""),
    /** Images composited into the card (character references), fetched only from the API origin. */
    reference_images: z.array(z.url()).max(6).default([]),
    /** Varies the palette's gradient deterministically. */
    seed: z.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type FrameRequest = z.infer<typeof FrameRequestSchema>;
