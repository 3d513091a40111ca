import { join } from "node:path";
import { sha256Hex as sha256HexOf } from "../../../contracts/crypto";
import type { AudioStem } from "../../../contracts/render-events";
import { SEGMENT_FORMAT_VERSION, type SegmentAnswer } from "../../../contracts/segments";
import type { Timeline } from "../../../contracts/timeline";
import { buildAudioPlan } from "../ffmpeg/args";
import {
  buildLoudnessCheckPlan,
  buildLoudnormPlan,
  buildMixPlan,
  LOUDNESS,
  type MixInput,
  parseEbur128,
  parseLoudnorm,
} from "../ffmpeg/audio-args";
import { audioOptions, type VideoEncoder } from "../ffmpeg/encoder";
import { type Binaries, probe, runPlan } from "../ffmpeg/run";
import { fetchInput } from "./inputs";
import { type PreparedScene, sha256File } from "./prepare";
import { type UploadLimits, uploadFile } from "./uploader";

export interface Loudness {
  integrated_lufs: number;
  true_peak_dbtp: number;
}

export interface MixResult {
  stems: AudioStem[];
  loudness?: Loudness | undefined;
}

export interface Music {
  file: string;
  url: string;
  sha256: string;
  mediaRef?: string | undefined;
}

/** What the soundtrack is made of: the stems to report and the mix (null: the older music/silence track). */
export interface SoundtrackPlan {
  stems: AudioStem[];
  mix: MixInput | null;
  music: Music | null;
  total: number;
  /** SHA-256 of each audio input, in the order of `mix` (lines, beds) — for the cache key. */
  hashes: { lines: string[]; beds: string[] };
}

export function planSoundtrack(
  scenes: PreparedScene[],
  timeline: Timeline,
  music: Music | null,
): SoundtrackPlan {
  const stems: AudioStem[] = [];
  const lines: MixInput["lines"] = [];
  const hashes: SoundtrackPlan["hashes"] = { lines: [], beds: [] };
  for (const slot of timeline.lines) {
    const line = scenes[slot.scene]?.lines[slot.line];
    if (!line) continue;
    lines.push({ file: line.file, start: slot.start, duration: line.duration });
    hashes.lines.push(line.sha256);
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
    hashes.beds.push(scene.sha256);
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
  const mix =
    lines.length > 0 || beds.length > 0 ? { lines, beds, music: music?.file, total: timeline.total } : null;
  return { stems, mix, music, total: timeline.total, hashes };
}

/** The soundtrack's cache key: every input's bytes, where it plays, the length, the codec, the recipe. */
export function soundtrackKey(plan: SoundtrackPlan, encoder: VideoEncoder, ffmpeg: string): Promise<string> {
  return sha256HexOf(
    JSON.stringify({
      v: SEGMENT_FORMAT_VERSION,
      kind: "audio",
      ffmpeg,
      codec: audioOptions(encoder),
      total: plan.total,
      recipe: plan.mix ? ["dialogue-mix", LOUDNESS] : ["music-or-silence"],
      lines: plan.mix?.lines.map((l, i) => [plan.hashes.lines[i], l.start, l.duration]) ?? [],
      beds: plan.mix?.beds?.map((b, i) => [plan.hashes.beds[i], b.start, b.duration]) ?? [],
      music: plan.music?.sha256 ?? null,
    }),
  );
}

/**
 * The soundtrack. With spoken lines (or a clip's kept audio): dialogue over the ducked music bed,
 * loudness-normalised in two passes. Without: the music looped and faded, or silence, exactly as
 * the reference does it. Either way a normalised track is checked with ebur128 on the encoded
 * file, and the figures reported are those measured, not the filter's settings.
 */
async function mixSoundtrack(
  plan: SoundtrackPlan,
  encoder: VideoEncoder,
  bin: Binaries,
  dir: string,
  output: string,
  signal: AbortSignal,
): Promise<void> {
  if (!plan.mix) {
    await runPlan(buildAudioPlan(plan.music?.file, plan.total, encoder, output), bin, { signal });
    return;
  }
  const premix = join(dir, "premix.wav");
  const analysis = await runPlan(buildMixPlan(plan.mix, premix), bin, { signal });
  await runPlan(buildLoudnormPlan(premix, parseLoudnorm(analysis), audioOptions(encoder), output), bin, {
    signal,
  });
}

export interface SoundtrackContext {
  bin: Binaries;
  apiOrigin: string;
  encoder: VideoEncoder;
  upload: UploadLimits;
  signal: AbortSignal;
}

/**
 * Obtains the soundtrack: a cache hit downloaded and checked, else mixed here and uploaded where
 * the Worker gave a target. Reports whether it was reused and what was uploaded.
 */
export async function obtainSoundtrack(
  plan: SoundtrackPlan,
  answer: SegmentAnswer | undefined,
  ctx: SoundtrackContext,
  dir: string,
  output: string,
): Promise<MixResult & { reused: boolean; uploaded?: { url: string; size: number; sha256: string } }> {
  let reused = false;
  if (answer?.status === "hit") {
    try {
      await fetchInput(answer.url, output, {
        apiOrigin: ctx.apiOrigin,
        maxBytes: answer.size,
        kind: "audio",
        signal: ctx.signal,
      });
      const sha = answer.sha256 ? await sha256File(output) : null;
      const probed = sha ? null : await probe(output, ctx.bin).catch(() => null);
      reused = answer.sha256
        ? sha === answer.sha256
        : Math.abs(Number(probed?.format.duration ?? 0) - plan.total) < 0.1 &&
          !!probed?.streams.some((s) => s.codec_type === "audio");
    } catch (err) {
      if (ctx.signal.aborted) throw err;
    }
  }
  let uploaded: { url: string; size: number; sha256: string } | undefined;
  if (!reused) {
    await mixSoundtrack(plan, ctx.encoder, ctx.bin, dir, output, ctx.signal);
    if (answer?.status === "miss" && answer.upload) {
      const type = ctx.encoder === "libvpx-vp9" ? "audio/webm" : "audio/mp4";
      const target = answer.upload;
      uploaded = await uploadFile(output, target, type, ctx.upload, ctx.signal).then(
        async ({ size }) => ({ url: target.url, size, sha256: await sha256File(output) }),
        () => undefined,
      );
    }
  }
  const loudness: Loudness | undefined = plan.mix
    ? parseEbur128(await runPlan(buildLoudnessCheckPlan(output), ctx.bin, { signal: ctx.signal }))
    : undefined;
  return { stems: plan.stems, loudness, reused, ...(uploaded ? { uploaded } : {}) };
}
