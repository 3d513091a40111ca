import { mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { deriveEspeakVoice, type EspeakVoice, type SpeechRequest } from "../../../contracts/speech";
import { buildSpeechPlan } from "../ffmpeg/audio-args";
import { espeakArgs, runEspeak } from "../ffmpeg/espeak";
import { type Binaries, probe, runPlan } from "../ffmpeg/run";
import { InvalidJobError } from "../jobs/errors";

export interface SpeechDeps {
  bin: Binaries;
  espeakPath: string;
  workDir: string;
}

export interface SpeechResult {
  wav: Buffer;
  /** Seconds, measured with ffprobe on `wav`. */
  duration: number;
  voice: EspeakVoice;
}

/**
 * One line through espeak-ng, then through ffmpeg (silence trimmed, 48 kHz mono PCM), measured
 * with ffprobe. A line that yields no audible speech (only punctuation, say) is the caller's
 * mistake, not a failure of ours.
 */
export async function synthesize(
  deps: SpeechDeps,
  req: SpeechRequest,
  signal?: AbortSignal,
): Promise<SpeechResult> {
  const voice = deriveEspeakVoice(req);
  const dir = await mkdtemp(join(deps.workDir, "speech-"));
  try {
    const raw = join(dir, "raw.wav");
    const out = join(dir, "line.wav");
    await runEspeak(deps.espeakPath, espeakArgs(voice, raw), req.text, { signal });
    await runPlan(buildSpeechPlan(raw, out), deps.bin, { signal });
    const probed = await probe(out, deps.bin);
    const duration = Number(probed.streams.find((s) => s.codec_type === "audio")?.duration ?? 0);
    if (!(duration > 0.05)) throw new InvalidJobError("the text has nothing to speak");
    return { wav: await readFile(out), duration: Math.round(duration * 1000) / 1000, voice };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
