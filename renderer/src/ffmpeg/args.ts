import type { Timeline } from "../../../contracts/timeline";
import { audioOptions, type VideoEncoder, videoOptions } from "./encoder";
import { filterPath } from "./escape";

/**
 * Pure builders of ffmpeg invocations. A plan lists the inputs (with their options), the filter
 * graph and the output options; `planToArgs` turns it into the exact argument array ffmpeg gets
 * (no shell is ever involved).
 */
export interface FfmpegPlan {
  inputs: { source: string; options: string[] }[];
  filterComplex?: string;
  outputOptions: string[];
  output: string;
}

export function planToArgs(plan: FfmpegPlan): string[] {
  const args: string[] = [];
  for (const input of plan.inputs) args.push(...input.options, "-i", input.source);
  args.push("-y");
  if (plan.filterComplex) args.push("-filter_complex", plan.filterComplex);
  args.push(...plan.outputOptions, plan.output);
  return args;
}

/** Caption size and outline for a canvas, scaled from 64 px on a 1080-wide portrait frame. */
export function captionMetrics(width: number, height: number) {
  const fontSize = Math.max(16, Math.round((Math.min(width, height) * 64) / 1080));
  return {
    fontSize,
    border: Math.max(2, Math.round((fontSize * 5) / 64)),
    /** Caption lines fit in 86% of the width, measured in ems of `fontSize`. */
    maxLineWidth: Math.floor((width * 0.86) / fontSize),
  };
}

/**
 * A slow Ken Burns move, deterministic per scene: even scenes zoom in 1.0 → 1.15, odd ones zoom
 * out, and the horizontal drift alternates every two scenes. The still is first scaled to twice
 * the canvas (cover, cropped to fit) so sub-pixel motion stays smooth.
 */
export function kenBurns(
  index: number,
  frames: number,
  width: number,
  height: number,
  fps: number,
  from = 0,
  count = frames,
): string {
  const last = Math.max(1, frames - 1);
  // `on` counts this instance's output frames; `from` shifts it to the scene's own frame number.
  const t = from > 0 ? `(on+${from})/${last}` : `on/${last}`;
  const zoom = index % 2 === 0 ? `1+0.15*${t}` : `1.15-0.15*${t}`;
  const dir = Math.floor(index / 2) % 2 === 0 ? 1 : -1;
  return [
    `scale=${width * 2}:${height * 2}:force_original_aspect_ratio=increase:flags=bicubic`,
    `crop=${width * 2}:${height * 2}`,
    // 4:2:0 before the zoom, so the per-frame work runs on half the bytes of RGB.
    "format=yuv420p",
    `zoompan=z='${zoom}':x='(iw-iw/zoom)/2+(${dir})*(iw-iw/zoom)/2*(${t}-0.5)':y='(ih-ih/zoom)/2':d=${count}:s=${width}x${height}:fps=${fps}`,
  ].join(",");
}

export interface RenderScene {
  /** Path of the scene's still (a fetched image or a drawn card). */
  image: string;
  /** Path of the wrapped caption text, when the caption is burned in. */
  captionFile?: string | undefined;
}

export interface RenderPlanInput {
  width: number;
  height: number;
  fps: number;
  scenes: RenderScene[];
  timeline: Timeline;
  /** Background music; looped, trimmed and faded. Without it, a silent track. */
  music?: string | null | undefined;
  fontFile: string;
  encoder: VideoEncoder;
  output: string;
}

export interface SceneFrames {
  /** Frames the scene's picture lasts, crossfades included. */
  frames: number;
  /** Frames it shares with the next scene (its crossfade out); 0 for the last. */
  overlapNext: number;
}

/**
 * Scenes on the frame grid. Scene boundaries are rounded from the exact timeline, not each
 * duration on its own, so rounding never accumulates: the video has round(total × fps) frames
 * whatever the durations and frame rate.
 */
export function frameGrid(timeline: Timeline, fps: number): SceneFrames[] {
  const starts = timeline.slots.map((s) => Math.round(s.start * fps));
  const ends = timeline.slots.map((s) => Math.round((s.start + s.duration) * fps));
  return timeline.slots.map((_, i) => ({
    frames: (ends[i] ?? 0) - (starts[i] ?? 0),
    overlapNext: i + 1 < starts.length ? (ends[i] ?? 0) - (starts[i + 1] ?? 0) : 0,
  }));
}

/** A piece of the output: a scene's body, or the crossfade from scene `index` to the next. */
interface Piece {
  kind: "body" | "fade";
  index: number;
  /** Global output frames [start, end). */
  start: number;
  end: number;
}

interface SceneSpan {
  /** Global output frame where the scene's first frame lands. */
  start: number;
  frames: number;
  overlapIn: number;
  overlapNext: number;
}

function spans(grid: SceneFrames[]): SceneSpan[] {
  let start = 0;
  return grid.map((g, i) => {
    const span = {
      start,
      frames: g.frames,
      overlapIn: i > 0 ? (grid[i - 1]?.overlapNext ?? 0) : 0,
      overlapNext: g.overlapNext,
    };
    start += g.frames - g.overlapNext;
    return span;
  });
}

/**
 * The output as an ordered list of pieces. Crossfades are cut out of the scenes rather than
 * chained: each scene contributes its body, and each pair of neighbours a crossfade of the first's
 * tail with the second's head. A chain of xfade filters would pass every frame through every later
 * xfade; here a frame meets at most one, which roughly halves the filter time of a 10-scene video.
 */
function pieces(s: SceneSpan[]): Piece[] {
  const out: Piece[] = [];
  s.forEach((span, index) => {
    const bodyStart = span.start + span.overlapIn;
    const bodyEnd = span.start + span.frames - span.overlapNext;
    if (bodyEnd > bodyStart) out.push({ kind: "body", index, start: bodyStart, end: bodyEnd });
    if (span.overlapNext > 0)
      out.push({ kind: "fade", index, start: bodyEnd, end: span.start + span.frames });
  });
  return out;
}

export interface Chunk {
  /** Global output frames [start, end). */
  start: number;
  end: number;
}

/**
 * Splits the output into chunks, cut inside scene bodies (never inside a crossfade), so chunks
 * render independently and join by stream copy: at least one chunk per `maxScenes` scenes (each
 * ffmpeg holds only its scenes in memory) and at least `parallel` (one per core), as equal in
 * frames as the cuts allow.
 */
export function planChunks(timeline: Timeline, fps: number, maxScenes: number, parallel = 1): Chunk[] {
  const s = spans(frameGrid(timeline, fps));
  const total = Math.round(timeline.total * fps);
  const count = Math.max(Math.ceil(s.length / maxScenes), Math.min(parallel, s.length));
  const bodies = pieces(s).filter((p) => p.kind === "body" && p.end - p.start >= 2);
  const cuts: number[] = [];
  for (let k = 1; k < count; k++) {
    const target = Math.round((total * k) / count);
    let best: number | null = null;
    for (const body of bodies) {
      const cut = Math.min(Math.max(target, body.start + 1), body.end - 1);
      if (best === null || Math.abs(cut - target) < Math.abs(best - target)) best = cut;
    }
    if (best !== null && best > (cuts.at(-1) ?? 0)) cuts.push(best);
  }
  const edges = [0, ...cuts, total];
  return edges.slice(1).map((end, i) => ({ start: edges[i] as number, end }));
}

export interface ChunkPlanInput {
  width: number;
  height: number;
  fps: number;
  scenes: RenderScene[];
  timeline: Timeline;
  fontFile: string;
  encoder: VideoEncoder;
  chunk: Chunk;
  output: string;
}

/** The video frames of one chunk: motion, captions and crossfades, encoded without audio. */
export function buildChunkPlan(p: ChunkPlanInput): FfmpegPlan {
  const s = spans(frameGrid(p.timeline, p.fps));
  const { fontSize, border } = captionMetrics(p.width, p.height);
  const { start: a, end: b } = p.chunk;
  const wanted = pieces(s)
    .filter((piece) => piece.end > a && piece.start < b)
    .map((piece) => ({ ...piece, start: Math.max(piece.start, a), end: Math.min(piece.end, b) }));
  // Which frames of each scene the chunk needs, in the scene's own frame numbers.
  const windows = new Map<number, { lo: number; hi: number; outs: string[] }>();
  const need = (index: number, from: number, to: number, label: string) => {
    const span = s[index] as SceneSpan;
    const w = windows.get(index) ?? { lo: Number.POSITIVE_INFINITY, hi: 0, outs: [] };
    w.lo = Math.min(w.lo, from - span.start);
    w.hi = Math.max(w.hi, to - span.start);
    w.outs.push(label);
    windows.set(index, w);
  };
  for (const piece of wanted) {
    if (piece.kind === "body") need(piece.index, piece.start, piece.end, `b${piece.index}`);
    else {
      need(piece.index, piece.start, piece.end, `t${piece.index}`);
      need(piece.index + 1, piece.start, piece.end, `h${piece.index + 1}`);
    }
  }

  const inputs: FfmpegPlan["inputs"] = [];
  const parts: string[] = [];
  for (const [index, w] of [...windows.entries()].sort((x, y) => x[0] - y[0])) {
    const scene = p.scenes[index] as RenderScene;
    const span = s[index] as SceneSpan;
    const input = inputs.length;
    inputs.push({ source: scene.image, options: [] });
    // The move is a function of the scene's own frame number, so a scene split across two chunks
    // continues seamlessly: this chunk renders frames lo..hi-1 of it.
    let chain = `[${input}:v]${kenBurns(index, span.frames, p.width, p.height, p.fps, w.lo, w.hi - w.lo)},setsar=1`;
    if (scene.captionFile) {
      chain += `,drawtext=fontfile=${filterPath(p.fontFile)}:textfile=${filterPath(scene.captionFile)}:fontsize=${fontSize}:fontcolor=white:borderw=${border}:bordercolor=black:line_spacing=${Math.round(fontSize * 0.25)}:x=(w-tw)/2:y=h*0.86-th`;
    }
    parts.push(
      w.outs.length === 1
        ? `${chain}[${w.outs[0]}]`
        : `${chain},split=${w.outs.length}${w.outs.map((o) => `[${o}]`).join("")}`,
    );
    for (const label of w.outs) {
      const piece = wanted.find((q) =>
        label.startsWith("b")
          ? q.kind === "body" && q.index === index
          : q.kind === "fade" && q.index === (label.startsWith("t") ? index : index - 1),
      ) as Piece;
      const from = piece.start - span.start - w.lo;
      parts.push(
        `[${label}]trim=start_frame=${from}:end_frame=${from + piece.end - piece.start},setpts=PTS-STARTPTS[${label}x]`,
      );
    }
  }
  const order = wanted.map((piece) => {
    if (piece.kind === "body") return `[b${piece.index}x]`;
    parts.push(
      `[t${piece.index}x][h${piece.index + 1}x]xfade=transition=fade:duration=${((piece.end - piece.start) / p.fps).toFixed(4)}:offset=0[f${piece.index}]`,
    );
    return `[f${piece.index}]`;
  });
  parts.push(
    order.length === 1 ? `${order[0]}null[vout]` : `${order.join("")}concat=n=${order.length}:v=1:a=0[vout]`,
  );
  return {
    inputs,
    filterComplex: parts.join(";"),
    outputOptions: [
      "-map",
      "[vout]",
      ...videoOptions(p.encoder, p.fps),
      "-frames:v",
      String(b - a),
      "-f",
      chunkFormat(p.encoder),
    ],
    output: p.output,
  };
}

/** Chunks are joined by stream copy, in a container that concatenates cleanly. */
export function chunkFormat(encoder: VideoEncoder): string {
  return encoder === "libvpx-vp9" ? "webm" : "mpegts";
}

/** The audio track: music looped, trimmed and faded in and out, or silence; encoded once. */
export function buildAudioPlan(
  music: string | null | undefined,
  total: number,
  encoder: VideoEncoder,
  output: string,
): FfmpegPlan {
  const fade = Math.min(1, total / 4);
  const codec = audioOptions(encoder);
  if (!music) {
    return {
      inputs: [{ source: "anullsrc=r=48000:cl=stereo", options: ["-f", "lavfi", "-t", total.toFixed(3)] }],
      outputOptions: [...codec, "-t", total.toFixed(3)],
      output,
    };
  }
  return {
    inputs: [{ source: music, options: ["-stream_loop", "-1"] }],
    filterComplex: `[0:a]atrim=0:${total.toFixed(3)},asetpts=PTS-STARTPTS,afade=t=in:st=0:d=${fade.toFixed(3)},afade=t=out:st=${(total - fade).toFixed(3)}:d=${fade.toFixed(3)},aformat=sample_rates=48000:channel_layouts=stereo[aout]`,
    outputOptions: ["-map", "[aout]", ...codec, "-t", total.toFixed(3)],
    output,
  };
}

/** Joins the chunks (a concat list) and the audio by stream copy into the final file. */
export function buildMuxPlan(
  chunkList: string,
  audio: string,
  total: number,
  encoder: VideoEncoder,
  output: string,
): FfmpegPlan {
  return {
    inputs: [
      { source: chunkList, options: ["-f", "concat", "-safe", "0"] },
      { source: audio, options: [] },
    ],
    outputOptions: [
      "-map",
      "0:v",
      "-map",
      "1:a",
      "-c",
      "copy",
      ...(encoder === "libvpx-vp9" ? [] : ["-movflags", "+faststart"]),
      "-t",
      total.toFixed(3),
    ],
    output,
  };
}

/** A poster frame from the rendered video, a second in (or a third of the way for short videos). */
export function buildPosterPlan(video: string, total: number, output: string): FfmpegPlan {
  const at = Math.min(1, total / 3);
  return {
    inputs: [{ source: video, options: ["-ss", at.toFixed(3)] }],
    outputOptions: ["-frames:v", "1", "-q:v", "3", "-update", "1"],
    output,
  };
}

/** Every scene still side by side in a grid, for a quick look at the whole story. */
export function buildContactSheetPlan(
  stillPattern: string,
  count: number,
  width: number,
  height: number,
  output: string,
): FfmpegPlan {
  const cols = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / cols);
  const thumbW = Math.max(64, Math.round(Math.min(320, 1600 / cols) / 2) * 2);
  const thumbH = Math.round((thumbW * height) / width / 2) * 2;
  return {
    inputs: [{ source: stillPattern, options: ["-framerate", "1", "-start_number", "0"] }],
    filterComplex: `[0:v]scale=${thumbW}:${thumbH}:force_original_aspect_ratio=increase,crop=${thumbW}:${thumbH},setsar=1,tile=${cols}x${rows}:padding=8:margin=8:color=0x101010[sheet]`,
    outputOptions: ["-map", "[sheet]", "-frames:v", "1", "-update", "1"],
    output,
  };
}
