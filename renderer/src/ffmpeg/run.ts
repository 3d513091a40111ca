import { execFile } from "node:child_process";
import { promisify } from "node:util";
import ffmpeg, { type FfmpegCommand, type FfprobeData } from "fluent-ffmpeg";
import type { FfmpegPlan } from "./args";

/**
 * The one module that runs ffmpeg and ffprobe. Plans come from the pure builders in args.ts and
 * cards/card-plan.ts; fluent-ffmpeg assembles exactly `planToArgs(plan)` (a test holds it to that),
 * spawns it without a shell, reports progress and kills it on abort.
 */
export class FfmpegError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = "FfmpegError";
  }
}

export class AbortedError extends Error {
  constructor(reason?: unknown) {
    super(typeof reason === "string" ? reason : "aborted");
    this.name = "AbortedError";
  }
}

export interface Binaries {
  ffmpegPath: string;
  ffprobePath: string;
}

export function toCommand(plan: FfmpegPlan, bin: Binaries): FfmpegCommand {
  const cmd = ffmpeg({ stdoutLines: 0 }).setFfmpegPath(bin.ffmpegPath).setFfprobePath(bin.ffprobePath);
  for (const input of plan.inputs) {
    cmd.input(input.source);
    if (input.options.length > 0) cmd.inputOptions(input.options);
  }
  if (plan.filterComplex) cmd.complexFilter(plan.filterComplex);
  cmd.outputOptions(plan.outputOptions).output(plan.output);
  return cmd;
}

function seconds(timemark: string | undefined): number {
  const m = /^(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(timemark ?? "");
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : 0;
}

export interface RunOptions {
  signal?: AbortSignal | undefined;
  /** Called with the output time ffmpeg has reached, in seconds. */
  onProgress?: ((seconds: number) => void) | undefined;
  /** The spawned process id, for bookkeeping and tests. */
  onStart?: ((pid: number | undefined) => void) | undefined;
}

/** Runs a plan; resolves with ffmpeg's stderr (where analysis filters such as loudnorm report). */
export function runPlan(plan: FfmpegPlan, bin: Binaries, opts: RunOptions = {}): Promise<string> {
  if (opts.signal?.aborted) return Promise.reject(new AbortedError(opts.signal.reason));
  const cmd = toCommand(plan, bin);
  return new Promise<string>((resolve, reject) => {
    let aborted = false;
    const abort = () => {
      aborted = true;
      cmd.kill("SIGKILL");
    };
    opts.signal?.addEventListener("abort", abort, { once: true });
    const done = (err?: Error, stderr = "") => {
      opts.signal?.removeEventListener("abort", abort);
      if (aborted) reject(new AbortedError(opts.signal?.reason));
      else if (err) reject(err);
      else resolve(stderr);
    };
    cmd
      .on("start", () => {
        const proc = (cmd as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc;
        opts.onStart?.(proc?.pid);
      })
      .on("progress", (p: { timemark?: string }) => opts.onProgress?.(seconds(p.timemark)))
      .on("end", (_stdout: string | null, stderr: string | null) => done(undefined, String(stderr ?? "")))
      .on("error", (err: Error, _stdout: string | null, stderr: string | null) => {
        const tail = String(stderr ?? "")
          .trim()
          .split("\n")
          .slice(-6)
          .join("\n");
        done(new FfmpegError(`ffmpeg failed: ${err.message.split("\n")[0]}`, tail));
      })
      .run();
  });
}

/** ffprobe's format and streams; `options` adds flags such as `-count_packets`. */
export function probe(file: string, bin: Binaries, options: string[] = []): Promise<FfprobeData> {
  return new Promise((resolve, reject) => {
    ffmpeg.setFfprobePath(bin.ffprobePath);
    ffmpeg.ffprobe(file, options, (err, data) =>
      err ? reject(new FfmpegError(`ffprobe failed: ${String(err)}`, "")) : resolve(data),
    );
  });
}

const exec = promisify(execFile);

/** `ffmpeg -version`'s first line. */
export async function ffmpegVersion(bin: Binaries): Promise<string> {
  const { stdout } = await exec(bin.ffmpegPath, ["-hide_banner", "-version"]);
  return stdout.split("\n")[0]?.trim() ?? "unknown";
}

/** `ffprobe -version`'s first line. */
export async function ffprobeVersion(bin: Binaries): Promise<string> {
  const { stdout } = await exec(bin.ffprobePath, ["-hide_banner", "-version"]);
  return stdout.split("\n")[0]?.trim() ?? "unknown";
}

/** Whether an encoder is compiled in and actually works here: a one-frame trial encode. */
export async function encoderWorks(bin: Binaries, encoder: string): Promise<boolean> {
  try {
    const { stdout } = await exec(bin.ffmpegPath, ["-hide_banner", "-encoders"]);
    if (!stdout.includes(` ${encoder} `)) return false;
    await exec(
      bin.ffmpegPath,
      [
        "-hide_banner",
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "color=s=256x256:d=0.04",
        "-frames:v",
        "1",
        "-c:v",
        encoder,
        "-f",
        "null",
        "-",
      ],
      { timeout: 20_000 },
    );
    return true;
  } catch {
    return false;
  }
}
