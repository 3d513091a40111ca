import type { Timeline } from "../../../contracts/timeline";
import { audioOptions, type VideoEncoder } from "./encoder";

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
  return `${stillPrepFilter(width, height)},${kenBurnsMove(index, frames, width, height, fps, from, count)}`;
}

/**
 * What a still goes through before it moves: scaled to twice the canvas (cover, cropped to fit) and
 * converted to 4:2:0, so the per-frame work runs on half the bytes of RGB. A render does this once
 * per still (`buildStillPrepPlan`) and feeds the raw frame to every segment that shows it.
 */
export function stillPrepFilter(width: number, height: number): string {
  return [
    `scale=${width * 2}:${height * 2}:force_original_aspect_ratio=increase:flags=bicubic`,
    `crop=${width * 2}:${height * 2}`,
    "format=yuv420p",
  ].join(",");
}

/** The move itself, on a prepared (2× canvas, 4:2:0) still. */
export function kenBurnsMove(
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
  return `zoompan=z='${zoom}':x='(iw-iw/zoom)/2+(${dir})*(iw-iw/zoom)/2*(${t}-0.5)':y='(ih-ih/zoom)/2':d=${count}:s=${width}x${height}:fps=${fps}`;
}

/** A still prepared once: decoded, scaled and converted as `stillPrepFilter`, written as raw 4:2:0. */
export function buildStillPrepPlan(still: string, width: number, height: number, output: string): FfmpegPlan {
  return {
    inputs: [{ source: still, options: [] }],
    filterComplex: `[0:v]${stillPrepFilter(width, height)}[prep]`,
    outputOptions: ["-map", "[prep]", "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "yuv420p"],
    output,
  };
}

/** The input options that read a prepared still back. */
export function preparedStillInput(width: number, height: number): string[] {
  return ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", `${width * 2}x${height * 2}`];
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

/** The first frame of a video as a PNG (a clip's still for the contact sheet). */
export function buildFrameGrabPlan(video: string, output: string): FfmpegPlan {
  return {
    inputs: [{ source: video, options: [] }],
    outputOptions: ["-frames:v", "1", "-update", "1", "-f", "image2", "-c:v", "png"],
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
