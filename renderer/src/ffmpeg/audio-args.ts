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

/** Loudness for social platforms: −14 LUFS integrated; true peak aimed under −1 dBTP with margin. */
export const LOUDNESS = { integrated: -14, truePeak: -1.5, range: 20 } as const;

export interface MixInput {
  /** Spoken lines, each at its start on the film's clock (seconds), trimmed to its measured length. */
  lines: { file: string; start: number; duration: number }[];
  /** Background music, looped to the film's length and faded; ducked under the dialogue. */
  music?: string | null | undefined;
  /** A clip's own audio kept under the dialogue (ducked with the music), at its scene's place. */
  beds?: { file: string; start: number; duration: number }[];
  total: number;
}

const samples = (seconds: number) => Math.round(seconds * AUDIO_RATE);

/**
 * The premix and its loudness measurement in one run: dialogue (every line delayed to its place
 * to the sample, over a faint room tone so the gaps between lines are not digital silence), the
 * music bed and kept clip audio ducked under the dialogue by a sidechain compressor, summed
 * without normalisation. The premix goes to a WAV; a second branch goes through loudnorm's
 * analysis (`print_format=json` on stderr), which the second pass applies.
 */
export function buildMixPlan(m: MixInput, premix: string): FfmpegPlan {
  const total = m.total.toFixed(3);
  const inputs: FfmpegPlan["inputs"] = [];
  const parts: string[] = [];
  const dialogue: string[] = [];
  for (const [j, line] of m.lines.entries()) {
    inputs.push({ source: line.file, options: [] });
    parts.push(
      `[${j}:a]aresample=${AUDIO_RATE},aformat=sample_rates=${AUDIO_RATE}:channel_layouts=mono,atrim=0:${line.duration.toFixed(3)},asetpts=PTS-STARTPTS,adelay=delays=${samples(line.start)}S:all=1[l${j}]`,
    );
    dialogue.push(`[l${j}]`);
  }
  // Room tone: pink noise around −62 dBFS, band-limited like a quiet room.
  parts.push(
    `anoisesrc=color=pink:amplitude=0.0015:sample_rate=${AUDIO_RATE}:seed=7:duration=${total},lowpass=f=3000,highpass=f=80[tone]`,
  );
  dialogue.push("[tone]");
  parts.push(
    `${dialogue.join("")}amix=inputs=${dialogue.length}:normalize=0:duration=longest,apad,atrim=0:${total},aformat=sample_rates=${AUDIO_RATE}:channel_layouts=stereo,asplit=2[dlg][key]`,
  );
  const bed: string[] = [];
  if (m.music) {
    const k = inputs.length;
    inputs.push({ source: m.music, options: ["-stream_loop", "-1"] });
    const fade = Math.min(1, m.total / 4);
    parts.push(
      `[${k}:a]atrim=0:${total},asetpts=PTS-STARTPTS,aresample=${AUDIO_RATE},aformat=sample_rates=${AUDIO_RATE}:channel_layouts=stereo,volume=0.35,afade=t=in:st=0:d=${fade.toFixed(3)},afade=t=out:st=${(m.total - fade).toFixed(3)}:d=${fade.toFixed(3)}[music]`,
    );
    bed.push("[music]");
  }
  for (const [j, clip] of (m.beds ?? []).entries()) {
    const k = inputs.length;
    inputs.push({ source: clip.file, options: [] });
    const d = clip.duration.toFixed(3);
    parts.push(
      `[${k}:a]atrim=0:${d},asetpts=PTS-STARTPTS,aresample=${AUDIO_RATE},aformat=sample_rates=${AUDIO_RATE}:channel_layouts=stereo,afade=t=in:d=0.25,afade=t=out:st=${Math.max(0, clip.duration - 0.25).toFixed(3)}:d=0.25,adelay=delays=${samples(clip.start)}S:all=1[c${j}]`,
    );
    bed.push(`[c${j}]`);
  }
  let mix = "[dlg]";
  if (bed.length > 0) {
    if (bed.length > 1)
      parts.push(`${bed.join("")}amix=inputs=${bed.length}:normalize=0:duration=longest[bed]`);
    // The bed drops about 12 dB within 20 ms of speech and comes back over 400 ms after it.
    parts.push(
      `${bed.length === 1 ? bed[0] : "[bed]"}apad,atrim=0:${total}[bedx]`,
      "[bedx][key]sidechaincompress=threshold=0.01:ratio=8:attack=20:release=400:makeup=1[ducked]",
      "[ducked][dlg]amix=inputs=2:normalize=0:duration=first[mixed]",
    );
    mix = "[mixed]";
  } else {
    parts.push("[key]anullsink");
  }
  parts.push(
    `${mix}atrim=0:${total},aformat=sample_rates=${AUDIO_RATE}:channel_layouts=stereo,asplit=2[pre][meas]`,
    `[meas]aresample=192000,loudnorm=I=${LOUDNESS.integrated}:TP=${LOUDNESS.truePeak}:LRA=${LOUDNESS.range}:print_format=json[measured]`,
  );
  return {
    inputs,
    filterComplex: parts.join(";"),
    outputOptions: [
      "-map",
      "[pre]",
      "-c:a",
      "pcm_s16le",
      "-f",
      "wav",
      premix,
      "-map",
      "[measured]",
      "-f",
      "null",
    ],
    output: "-",
  };
}

export interface LoudnormMeasurement {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

/** loudnorm's JSON report, the last `{…}` block on stderr. */
export function parseLoudnorm(stderr: string): LoudnormMeasurement {
  const block = stderr.slice(stderr.lastIndexOf("{"), stderr.lastIndexOf("}") + 1);
  const parsed = JSON.parse(block) as Record<string, string>;
  for (const key of ["input_i", "input_tp", "input_lra", "input_thresh", "target_offset"]) {
    if (!Number.isFinite(Number(parsed[key]))) throw new Error(`loudnorm reported no ${key}`);
  }
  return parsed as unknown as LoudnormMeasurement;
}

/**
 * Second pass: loudnorm with the first pass's measurement (linear gain when the true-peak target
 * allows it, else its own limiter), back to 48 kHz, encoded for the container.
 */
export function buildLoudnormPlan(
  premix: string,
  measured: LoudnormMeasurement,
  codec: string[],
  output: string,
): FfmpegPlan {
  const m = measured;
  return {
    inputs: [{ source: premix, options: [] }],
    filterComplex: `[0:a]aresample=192000,loudnorm=I=${LOUDNESS.integrated}:TP=${LOUDNESS.truePeak}:LRA=${LOUDNESS.range}:measured_I=${m.input_i}:measured_TP=${m.input_tp}:measured_LRA=${m.input_lra}:measured_thresh=${m.input_thresh}:offset=${m.target_offset}:linear=true:print_format=summary,aresample=${AUDIO_RATE},aformat=sample_rates=${AUDIO_RATE}:channel_layouts=stereo[aout]`,
    outputOptions: ["-map", "[aout]", "-ar", String(AUDIO_RATE), ...codec],
    output,
  };
}

/** EBU R128 on a finished file: integrated loudness and true peak from ebur128's summary. */
export function buildLoudnessCheckPlan(file: string): FfmpegPlan {
  return {
    inputs: [{ source: file, options: [] }],
    filterComplex: "[0:a]ebur128=peak=true[checked]",
    outputOptions: ["-map", "[checked]", "-f", "null"],
    output: "-",
  };
}

export function parseEbur128(stderr: string): { integrated_lufs: number; true_peak_dbtp: number } {
  const summary = stderr.slice(stderr.lastIndexOf("Summary:"));
  const i = /I:\s+(-?[\d.]+|-inf) LUFS/.exec(summary)?.[1];
  const tp = /True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS/.exec(summary)?.[1];
  if (!i || !tp) throw new Error("ebur128 printed no summary");
  const num = (s: string) => (s === "-inf" ? Number.NEGATIVE_INFINITY : Number(s));
  return { integrated_lufs: num(i), true_peak_dbtp: num(tp) };
}
