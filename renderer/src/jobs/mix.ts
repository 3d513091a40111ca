import { join } from "node:path";
import type { AudioStem } from "../../../contracts/render-events";
import type { Timeline } from "../../../contracts/timeline";
import { buildAudioPlan } from "../ffmpeg/args";
import {
  buildLoudnessCheckPlan,
  buildLoudnormPlan,
  buildMixPlan,
  type MixInput,
  parseEbur128,
  parseLoudnorm,
} from "../ffmpeg/audio-args";
import { audioOptions, type VideoEncoder } from "../ffmpeg/encoder";
import { type Binaries, runPlan } from "../ffmpeg/run";
import type { PreparedScene } from "./prepare";

export interface MixResult {
  stems: AudioStem[];
  loudness?: { integrated_lufs: number; true_peak_dbtp: number } | undefined;
}

/**
 * The soundtrack. With spoken lines (or a clip's kept audio): dialogue over the ducked music bed,
 * loudness-normalised in two passes and checked on the encoded file with ebur128. Without: the
 * music looped and faded, or silence, exactly as the reference does it.
 */
export async function renderSoundtrack(
  scenes: PreparedScene[],
  timeline: Timeline,
  music: { file: string; url: string; mediaRef?: string | undefined } | null,
  encoder: VideoEncoder,
  bin: Binaries,
  dir: string,
  output: string,
  signal: AbortSignal,
): Promise<MixResult> {
  const stems: AudioStem[] = [];
  const lines: MixInput["lines"] = [];
  for (const slot of timeline.lines) {
    const line = scenes[slot.scene]?.lines[slot.line];
    if (!line) continue;
    lines.push({ file: line.file, start: slot.start, duration: line.duration });
    stems.push({
      kind: "dialogue",
      url: line.url,
      scene: slot.scene,
      line: slot.line,
      ...(line.speaker ? { speaker: line.speaker } : {}),
      hash: line.hash,
      ...(line.mediaRef ? { media_ref: line.mediaRef } : {}),
      start: slot.start,
      duration: line.duration,
    });
  }
  const beds: NonNullable<MixInput["beds"]> = [];
  for (const [i, scene] of scenes.entries()) {
    const slot = timeline.slots[i];
    if (!scene.clip?.keepAudio || !slot) continue;
    const duration = Math.min(scene.clip.seconds, slot.duration);
    beds.push({ file: scene.clip.file, start: slot.start, duration });
    stems.push({
      kind: "clip",
      url: scene.clip.url,
      scene: i,
      hash: scene.clip.hash,
      ...(scene.clip.mediaRef ? { media_ref: scene.clip.mediaRef } : {}),
      start: slot.start,
      duration,
    });
  }
  if (music) {
    stems.push({
      kind: "music",
      url: music.url,
      ...(music.mediaRef ? { media_ref: music.mediaRef } : {}),
      start: 0,
      duration: timeline.total,
    });
  }
  if (lines.length === 0 && beds.length === 0) {
    await runPlan(buildAudioPlan(music?.file, timeline.total, encoder, output), bin, { signal });
    return { stems };
  }
  const premix = join(dir, "premix.wav");
  const analysis = await runPlan(
    buildMixPlan({ lines, beds, music: music?.file, total: timeline.total }, premix),
    bin,
    { signal },
  );
  await runPlan(buildLoudnormPlan(premix, parseLoudnorm(analysis), audioOptions(encoder), output), bin, {
    signal,
  });
  // Verified on what ships, not assumed from the filter's settings.
  const loudness = parseEbur128(await runPlan(buildLoudnessCheckPlan(output), bin, { signal }));
  return { stems, loudness };
}
