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

/** A content hash: lowercase hex of a SHA-256 (or any hex digest of 32–128 characters). */
export const ContentHashSchema = z.string().regex(/^[0-9a-f]{32,128}$/, "expected a lowercase hex digest");

/**
 * How an editing application finds an input again (the timelines name media by it): a stable file
 * name or URL chosen by the Worker, e.g. `shots/003-take-2.png`. Without it, the input's URL.
 */
const MediaRefSchema = z.string().min(1).max(500).optional();

/**
 * One spoken line of a scene, in order. Its audio (a WAV from `POST /v1/speech` or a provider)
 * decides time: the shot lasts at least its lines, the subtitle cue is the line's audio, and the
 * burned-in caption shows while the line is spoken. The renderer measures the downloaded file with
 * ffprobe; `audio_duration` (the Worker's figure) is only a claim.
 */
export const LineSchema = z
  .object({
    /** Who speaks (a character's name, or "narrator"): reported with the stems and timelines. */
    speaker: z.string().max(100).optional(),
    /** The subtitle text (the words spoken). */
    text: z.string().trim().min(1).max(500),
    audio_url: z.url(),
    audio_duration: z.number().positive().max(120),
    /** The Worker's content hash of the line (text + voice): reported back, used to name stems. */
    audio_hash: ContentHashSchema,
    media_ref: MediaRefSchema,
  })
  .strict();
export type Line = z.infer<typeof LineSchema>;

/**
 * A moving shot from an image-to-video model. Scaled and cropped to the canvas, trimmed or held on
 * its last frame to the shot's length. A file that is not a video, has no frames or is shorter than
 * `MIN_CLIP_SECONDS` fails the render with an error naming the scene.
 */
export const ClipSchema = z
  .object({
    url: z.url(),
    hash: ContentHashSchema,
    /** Mix the clip's own (provider-native) audio under the dialogue; off by default. */
    keep_audio: z.boolean().default(false),
    media_ref: MediaRefSchema,
  })
  .strict();
export type Clip = z.infer<typeof ClipSchema>;

export const MIN_CLIP_SECONDS = 0.5;
/** Spoken lines in one render, all scenes together. */
export const MAX_LINES = 400;

/**
 * One shot. What is drawn: `clip`, else `image_url`, else a card of `text`. What is captioned:
 * the `lines` when there are any (one cue per line, from its audio), else `caption` for the whole
 * scene (the older, text-timed form). The card prints `text` only — never the dialogue the
 * captions carry — except in the older form without lines, where a scene with no `text` shows its
 * `caption` on the card.
 */
export const SceneSchema = z
  .object({
    /** A still for the scene; fetched only from the API origin. */
    image_url: z.url().optional(),
    /** Optional content hash of the still (reported back; the renderer hashes the bytes it uses). */
    image_hash: ContentHashSchema.optional(),
    image_media_ref: MediaRefSchema,
    clip: ClipSchema.optional(),
    /** Text of a card drawn when there is no image or clip (the scene description). */
    text: z.string().max(1000).optional(),
    /** Dialogue of the whole scene, when it has no `lines`: burned in and in the sidecars. */
    caption: z.string().max(500).optional(),
    lines: z.array(LineSchema).max(50).optional(),
    /** Seconds; a scene with lines is lengthened to hold them (`shotDurations`). */
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
    music_media_ref: MediaRefSchema,
    outputs: z
      .object({
        video: UploadTargetSchema,
        srt: UploadTargetSchema.optional(),
        vtt: UploadTargetSchema.optional(),
        poster: UploadTargetSchema.optional(),
        contact_sheet: UploadTargetSchema.optional(),
        /** Editable timelines of the same cut (contracts/timeline-files.ts). */
        fcpxml: UploadTargetSchema.optional(),
        otio: UploadTargetSchema.optional(),
        edl: UploadTargetSchema.optional(),
      })
      .strict(),
    /** Where progress, completion and failure events are POSTed (HMAC-signed). */
    callback_url: z.url(),
    /**
     * The Worker's shot-segment cache (contracts/segments.ts): asked, signed, which segments it
     * holds before anything is encoded. Without it every segment is encoded and nothing is stored.
     */
    segments_url: z.url().optional(),
  })
  .strict()
  // Every line is an input of the one ffmpeg that mixes the dialogue.
  .refine((spec) => spec.scenes.reduce((n, s) => n + (s.lines?.length ?? 0), 0) <= MAX_LINES, {
    message: `at most ${MAX_LINES} spoken lines in one render`,
    path: ["scenes"],
  });
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
