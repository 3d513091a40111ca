import type { SegmentKind } from "../../../contracts/segments";
import type { Timeline } from "../../../contracts/timeline";
import {
  captionMetrics,
  type FfmpegPlan,
  frameGrid,
  kenBurns,
  kenBurnsMove,
  preparedStillInput,
  type SceneFrames,
} from "./args";
import { type VideoEncoder, videoOptions } from "./encoder";
import { filterPath } from "./escape";

/**
 * The film as independent segments (contracts/segments.ts): each scene's body, and each crossfade
 * as a segment of its own. A segment is one ffmpeg encode that starts with a keyframe, so
 * segments join by stream copy; it draws its scenes from their own frame numbers, so it is the
 * same bytes wherever the scene sits in the film, which is what lets the Worker cache it.
 */

/** A burned-in caption on a scene's own frames [from, to). */
export interface ShotCaption {
  /** The wrapped text file drawtext reads. */
  file: string;
  /** The wrapped text itself (part of the segment's identity). */
  text: string;
  from: number;
  to: number;
}

export interface ShotVisual {
  kind: "still" | "clip";
  /** A still image (fetched or a drawn card) or a video clip, on disk. */
  source: string;
  /** SHA-256 of the file's bytes. */
  sha256: string;
  captions: ShotCaption[];
  /** A still already prepared (raw 4:2:0 at twice the canvas, `buildStillPrepPlan`): read as is. */
  prepared?: string | undefined;
  /** A clip's length in the film's frames (where its last frame is held from). */
  clipFrames?: number | undefined;
}

/** Frames [from, to) of one scene, in the scene's own numbering. */
export interface SegmentSpan {
  shot: number;
  from: number;
  to: number;
}

export interface Segment {
  kind: SegmentKind;
  /** Film frames [start, end). */
  start: number;
  end: number;
  /** One span for a body; the outgoing and the incoming scene for a fade. */
  spans: SegmentSpan[];
}

/**
 * Bodies and fades in film order. Scene boundaries come from the frame grid (rounded from the
 * exact timeline), so the segments cover round(total × fps) frames exactly; a scene whose body is
 * empty (a 1 s scene between two crossfades) has no body segment.
 */
export function planSegments(timeline: Timeline, fps: number): Segment[] {
  const grid = frameGrid(timeline, fps);
  const out: Segment[] = [];
  let start = 0;
  grid.forEach((g, i) => {
    const overlapIn = i > 0 ? (grid[i - 1]?.overlapNext ?? 0) : 0;
    const bodyFrom = overlapIn;
    const bodyTo = g.frames - g.overlapNext;
    if (bodyTo > bodyFrom) {
      out.push({
        kind: "body",
        start: start + bodyFrom,
        end: start + bodyTo,
        spans: [{ shot: i, from: bodyFrom, to: bodyTo }],
      });
    }
    if (g.overlapNext > 0) {
      out.push({
        kind: "fade",
        start: start + bodyTo,
        end: start + g.frames,
        spans: [
          { shot: i, from: bodyTo, to: g.frames },
          { shot: i + 1, from: 0, to: g.overlapNext },
        ],
      });
    }
    start += g.frames - g.overlapNext;
  });
  return out;
}

export interface SegmentPlanInput {
  width: number;
  height: number;
  fps: number;
  shots: ShotVisual[];
  grid: SceneFrames[];
  segment: Segment;
  fontFile: string;
  encoder: VideoEncoder;
  /** Extra encoder options after the quality settings (threads); part of the segment's identity. */
  encoderExtra?: string[] | undefined;
  output: string;
}

function captionFilters(p: SegmentPlanInput, shot: ShotVisual, span: SegmentSpan): string[] {
  const { fontSize, border } = captionMetrics(p.width, p.height);
  const out: string[] = [];
  for (const c of shot.captions) {
    const from = Math.max(c.from, span.from);
    const to = Math.min(c.to, span.to);
    if (to <= from) continue;
    // drawtext's `n` counts this chain's frames from 0; a caption over the whole span needs no switch.
    const enable =
      from === span.from && to === span.to
        ? ""
        : `:enable='between(n,${from - span.from},${to - span.from - 1})'`;
    out.push(
      `drawtext=fontfile=${filterPath(p.fontFile)}:textfile=${filterPath(c.file)}:fontsize=${fontSize}:fontcolor=white:borderw=${border}:bordercolor=black:line_spacing=${Math.round(fontSize * 0.25)}:x=(w-tw)/2:y=h*0.86-th${enable}`,
    );
  }
  return out;
}

/** The picture of one scene over a span: its move (still) or its frames (clip), then captions. */
function spanChain(p: SegmentPlanInput, input: number, span: SegmentSpan): string {
  const shot = p.shots[span.shot] as ShotVisual;
  const frames = (p.grid[span.shot] as SceneFrames).frames;
  const count = span.to - span.from;
  const move = shot.prepared ? kenBurnsMove : kenBurns;
  // A clip seen from far in (its tail in a crossfade) is read from just before that point rather
  // than decoded and scaled from its start; past its end, from its last frames, to hold.
  const skip = shot.kind === "clip" ? clipSkip(p, shot, span) : 0;
  const picture =
    shot.kind === "still"
      ? `${move(span.shot, frames, p.width, p.height, p.fps, span.from, count)},setsar=1`
      : [
          // Onto the film's frame grid from the clip's first frame, cover-cropped to the canvas;
          // past its end the last frame is held (tpad), then the span's frames are cut out.
          "setpts=PTS-STARTPTS",
          `fps=${p.fps}`,
          `scale=${p.width}:${p.height}:force_original_aspect_ratio=increase:flags=bicubic`,
          `crop=${p.width}:${p.height}`,
          "setsar=1",
          "format=yuv420p",
          "tpad=stop_mode=clone:stop=-1",
          `trim=start_frame=${span.from - skip}:end_frame=${span.to - skip}`,
          "setpts=PTS-STARTPTS",
        ].join(",");
  return `[${input}:v]${[picture, ...captionFilters(p, shot, span)].join(",")}`;
}

/** Frames of a clip skipped by seeking its input, kept a few frames clear of its end. */
function clipSkip(p: SegmentPlanInput, shot: ShotVisual, span: SegmentSpan): number {
  if (!shot.clipFrames || span.from < p.fps) return 0;
  return Math.max(0, Math.min(span.from, shot.clipFrames - 3));
}

export function buildSegmentPlan(p: SegmentPlanInput): FfmpegPlan {
  const { segment } = p;
  const inputs = segment.spans.map((span) => {
    const shot = p.shots[span.shot] as ShotVisual;
    if (shot.kind === "still" && shot.prepared)
      return { source: shot.prepared, options: preparedStillInput(p.width, p.height) };
    const skip = shot.kind === "clip" ? clipSkip(p, shot, span) : 0;
    return { source: shot.source, options: skip > 0 ? ["-ss", (skip / p.fps).toFixed(6)] : [] };
  });
  const frames = segment.end - segment.start;
  const graph =
    segment.kind === "body"
      ? `${spanChain(p, 0, segment.spans[0] as SegmentSpan)}[vout]`
      : [
          `${spanChain(p, 0, segment.spans[0] as SegmentSpan)}[a]`,
          `${spanChain(p, 1, segment.spans[1] as SegmentSpan)}[b]`,
          `[a][b]xfade=transition=fade:duration=${(frames / p.fps).toFixed(4)}:offset=0[vout]`,
        ].join(";");
  return {
    inputs,
    filterComplex: graph,
    outputOptions: [
      "-map",
      "[vout]",
      ...videoOptions(p.encoder, p.fps),
      ...(p.encoderExtra ?? []),
      "-frames:v",
      String(frames),
      "-f",
      segmentContainer(p.encoder),
    ],
    output: p.output,
  };
}

/** Segments are joined by stream copy, in a container that concatenates cleanly. */
export function segmentContainer(encoder: VideoEncoder): "mpegts" | "webm" {
  return encoder === "libvpx-vp9" ? "webm" : "mpegts";
}

/**
 * What decides a segment's pixels, in a fixed key order (the caller hashes its JSON): everything
 * but file paths. Moves are named by what they do, not by the scene's index, so two scenes that
 * move alike and show the same picture are the same segment.
 */
export function segmentIdentity(
  p: Omit<SegmentPlanInput, "output">,
  common: { formatVersion: number; ffmpeg: string },
): unknown {
  const { segment } = p;
  return {
    v: common.formatVersion,
    ffmpeg: common.ffmpeg,
    canvas: [p.width, p.height],
    fps: p.fps,
    encoder: [...videoOptions(p.encoder, p.fps), ...(p.encoderExtra ?? [])],
    container: segmentContainer(p.encoder),
    kind: segment.kind,
    frames: segment.end - segment.start,
    spans: segment.spans.map((span) => {
      const shot = p.shots[span.shot] as ShotVisual;
      return {
        source: [shot.kind, shot.sha256],
        sceneFrames: (p.grid[span.shot] as SceneFrames).frames,
        move: shot.kind === "still" ? [span.shot % 2, Math.floor(span.shot / 2) % 2] : null,
        from: span.from,
        to: span.to,
        captions: shot.captions
          .filter((c) => c.to > span.from && c.from < span.to)
          .map((c) => [c.text, Math.max(c.from, span.from), Math.min(c.to, span.to)]),
        font: p.fontFile,
      };
    }),
  };
}
