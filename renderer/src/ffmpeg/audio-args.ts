import type { FfmpegPlan } from "./args";

/** Sample rate of every audio intermediate and of the final track. */
export const AUDIO_RATE = 48_000;

/**
 * A synthesised line made ready for the mix: leading and trailing silence trimmed (so the file's
 * first sample is where the voice starts, which is what the subtitle cue is timed from; 20 ms kept
 * so the attack is not clipped), resampled to 48 kHz mono PCM, and written bit-exactly (no encoder
 * tag), so the same line always gives the same bytes.
 */
export function buildSpeechPlan(raw: string, output: string): FfmpegPlan {
  const trim = "silenceremove=start_periods=1:start_threshold=-60dB:start_silence=0.02";
  return {
    inputs: [{ source: raw, options: [] }],
    filterComplex: `[0:a]${trim},areverse,${trim},areverse,aresample=${AUDIO_RATE},aformat=sample_fmts=s16:channel_layouts=mono[speech]`,
    outputOptions: [
      "-map",
      "[speech]",
      "-map_metadata",
      "-1",
      "-fflags",
      "+bitexact",
      "-flags:a",
      "+bitexact",
      "-c:a",
      "pcm_s16le",
      "-f",
      "wav",
    ],
    output,
  };
}
