import { CROSSFADE_SECONDS } from "../../../contracts/render-spec";
import type { Timeline } from "../../../contracts/timeline";
import { encoderOptions, type VideoEncoder } from "./encoder";
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
export function kenBurns(index: number, frames: number, width: number, height: number, fps: number): string {
  const last = Math.max(1, frames - 1);
  const zoom = index % 2 === 0 ? `1+0.15*on/${last}` : `1.15-0.15*on/${last}`;
  const dir = Math.floor(index / 2) % 2 === 0 ? 1 : -1;
  return [
    `scale=${width * 2}:${height * 2}:force_original_aspect_ratio=increase:flags=bicubic`,
    `crop=${width * 2}:${height * 2}`,
    `zoompan=z='${zoom}':x='(iw-iw/zoom)/2+(${dir})*(iw-iw/zoom)/2*(on/${last}-0.5)':y='(ih-ih/zoom)/2':d=${frames}:s=${width}x${height}:fps=${fps}`,
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

/** The whole video in one ffmpeg run: motion, captions, crossfades, audio, encoding. */
export function buildRenderPlan(p: RenderPlanInput): FfmpegPlan {
  const n = p.scenes.length;
  const inputs: FfmpegPlan["inputs"] = p.scenes.map((s) => ({ source: s.image, options: [] }));
  const { fontSize, border } = captionMetrics(p.width, p.height);
  const parts: string[] = [];
  p.scenes.forEach((scene, i) => {
    const slot = p.timeline.slots[i];
    if (!slot) throw new Error(`timeline has no slot for scene ${i}`);
    const frames = Math.round(slot.duration * p.fps);
    let chain = `[${i}:v]${kenBurns(i, frames, p.width, p.height, p.fps)},setsar=1,format=yuv420p`;
    if (scene.captionFile) {
      chain += `,drawtext=fontfile=${filterPath(p.fontFile)}:textfile=${filterPath(scene.captionFile)}:fontsize=${fontSize}:fontcolor=white:borderw=${border}:bordercolor=black:line_spacing=${Math.round(fontSize * 0.25)}:x=(w-tw)/2:y=h*0.86-th`;
    }
    parts.push(`${chain}[s${i}]`);
  });
  let last = "s0";
  for (let i = 1; i < n; i++) {
    const offset = p.timeline.slots[i]?.start ?? 0;
    parts.push(
      `[${last}][s${i}]xfade=transition=fade:duration=${CROSSFADE_SECONDS}:offset=${offset.toFixed(3)}[x${i}]`,
    );
    last = `x${i}`;
  }
  const total = p.timeline.total;
  const audioIndex = n;
  if (p.music) {
    inputs.push({ source: p.music, options: ["-stream_loop", "-1"] });
    const fade = Math.min(1, total / 4);
    parts.push(
      `[${audioIndex}:a]atrim=0:${total.toFixed(3)},asetpts=PTS-STARTPTS,afade=t=in:st=0:d=${fade.toFixed(3)},afade=t=out:st=${(total - fade).toFixed(3)}:d=${fade.toFixed(3)},aformat=sample_rates=44100:channel_layouts=stereo[aout]`,
    );
  } else {
    inputs.push({ source: "anullsrc=r=44100:cl=stereo", options: ["-f", "lavfi", "-t", total.toFixed(3)] });
  }
  return {
    inputs,
    filterComplex: parts.join(";"),
    outputOptions: [
      "-map",
      `[${last}]`,
      "-map",
      p.music ? "[aout]" : `${audioIndex}:a`,
      ...encoderOptions(p.encoder, p.fps),
      "-t",
      total.toFixed(3),
    ],
    output: p.output,
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
