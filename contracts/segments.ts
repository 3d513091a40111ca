import { z } from "zod";
import { UploadTargetSchema } from "./render-spec";

/**
 * Shot segments: the renderer encodes a film as independent segments, joined by stream copy, and
 * the Worker keeps them (R2) by a content hash of everything that decides their pixels, so a
 * re-export re-encodes only what changed.
 *
 * The cut: each shot's *body* (its frames outside any crossfade) is one segment, and each
 * crossfade between two shots is a short segment of its own (*fade*, 0.5 s). When one shot
 * changes, its body and the fades on either side of it are encoded again — nothing else; a change
 * of duration moves the cut points but no other segment's pixels, because a segment is drawn from
 * its own shots' frame numbers, never from the film's clock.
 *
 * A segment's key is the SHA-256 of the canonical JSON of: `SEGMENT_FORMAT_VERSION`, the ffmpeg
 * version, the canvas, the frame rate, the encoder and every encoder option, the kind, and for
 * each shot drawn: the SHA-256 of the bytes of its still or clip (a card's own PNG), its frame
 * count, its move, the frames of it the segment holds, and every caption drawn on them (wrapped
 * text, font, frames).
 *
 * Protocol, before anything is encoded:
 *   POST {segments_url}   ← SegmentLookupRequest, HMAC-signed like every call (contracts/signing.ts)
 *                         → SegmentLookupResponse: for each key, `hit` with a download URL on the
 *                           API origin, or `miss` with an upload target for the encoded file.
 * The renderer downloads the hits (checked against the `sha256` the Worker recorded at upload,
 * else with ffprobe: frames, size, codec — a bad one is encoded afresh), encodes and uploads the
 * misses, and lists every segment in its completion event (`segments`, with `reused` and the
 * uploaded size and SHA-256), so the Worker indexes what it now holds. A miss without an upload
 * target is encoded and not stored. The soundtrack is one more entry (`kind: "audio"`, no shots),
 * keyed by the SHA-256 of every audio input, where each plays, the film's length and the codec:
 * a re-export whose lines and music did not change reuses the mixed, normalised track. A lookup that fails (network, 5xx) is
 * treated as all misses without uploads: the render never depends on the cache.
 */
export const SEGMENT_FORMAT_VERSION = 1;

export const SegmentKeySchema = z.string().regex(/^[0-9a-f]{64}$/);

/** `audio` is the film's whole soundtrack, cached the same way (keyed by its inputs and their places). */
export const SegmentKindSchema = z.enum(["body", "fade", "audio"]);
export type SegmentKind = z.infer<typeof SegmentKindSchema>;

export const SegmentContainerSchema = z.enum(["mpegts", "webm"]);
export type SegmentContainer = z.infer<typeof SegmentContainerSchema>;

export const SegmentDescriptorSchema = z.object({
  key: SegmentKeySchema,
  kind: SegmentKindSchema,
  /** The scenes it draws: one for a body, the two sides of a fade, none for the soundtrack. */
  shots: z.array(z.number().int().nonnegative()).max(2),
  /** Video frames it covers (the soundtrack: the whole film's). */
  frames: z.number().int().positive(),
});
export type SegmentDescriptor = z.infer<typeof SegmentDescriptorSchema>;

export const SegmentLookupRequestSchema = z.object({
  render_id: z.string(),
  format_version: z.literal(SEGMENT_FORMAT_VERSION),
  container: SegmentContainerSchema,
  segments: z.array(SegmentDescriptorSchema).min(1).max(400),
});
export type SegmentLookupRequest = z.infer<typeof SegmentLookupRequestSchema>;

export const SegmentAnswerSchema = z.discriminatedUnion("status", [
  z.object({
    key: SegmentKeySchema,
    status: z.literal("hit"),
    /** A signed download URL on the API origin. */
    url: z.url(),
    size: z.number().int().positive(),
    /** SHA-256 of the stored bytes, as reported at upload: lets the renderer check a hit cheaply. */
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  }),
  z.object({
    key: SegmentKeySchema,
    status: z.literal("miss"),
    upload: UploadTargetSchema.optional(),
  }),
]);
export type SegmentAnswer = z.infer<typeof SegmentAnswerSchema>;

export const SegmentLookupResponseSchema = z.object({ segments: z.array(SegmentAnswerSchema) });
export type SegmentLookupResponse = z.infer<typeof SegmentLookupResponseSchema>;

/** How each segment of a finished render was obtained (in the completion event). */
export const SegmentReportSchema = SegmentDescriptorSchema.extend({
  /** Frames of the film [start, end). */
  start: z.number().int().nonnegative(),
  reused: z.boolean(),
  /** Set when the segment was encoded and uploaded to the lookup's target. */
  uploaded: z
    .object({ url: z.string(), size: z.number().int().nonnegative(), sha256: z.string() })
    .optional(),
});
export type SegmentReport = z.infer<typeof SegmentReportSchema>;
