import { spawn } from "node:child_process";
import type { EspeakVoice } from "../../../contracts/speech";
import { AbortedError } from "./run";

/**
 * The one module that runs the speech synthesiser, beside run.ts for ffmpeg. espeak-ng is spawned
 * with an argument array (no shell) and the text goes in on stdin, so no character of a line can
 * become an option or a file name.
 */
export class SynthError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
    /** The synthesiser is not on this host (the caller answers 503 naming it). */
    readonly missing = false,
  ) {
    super(message);
    this.name = "SynthError";
  }
}

/** The arguments for one line: the voice, and `-w` to write a WAV; the text comes on stdin. */
export function espeakArgs(voice: EspeakVoice, output: string): string[] {
  return [
    "-v",
    `${voice.language}+${voice.variant}`,
    "-p",
    String(voice.pitch),
    "-s",
    String(voice.speed),
    "-g",
    String(voice.wordGap),
    // Input is UTF-8 (not the locale's charset).
    "-b",
    "1",
    "-w",
    output,
    "--stdin",
  ];
}

export function runEspeak(
  espeakPath: string,
  args: string[],
  text: string,
  opts: { signal?: AbortSignal | undefined; timeoutMs?: number } = {},
): Promise<void> {
  if (opts.signal?.aborted) return Promise.reject(new AbortedError(opts.signal.reason));
  return new Promise((resolve, reject) => {
    const child = spawn(espeakPath, args, { stdio: ["pipe", "ignore", "pipe"], shell: false });
    let stderr = "";
    let settled = false;
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", abort);
      if (err) reject(err);
      else resolve();
    };
    const abort = () => {
      child.kill("SIGKILL");
      finish(new AbortedError(opts.signal?.reason));
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish(new SynthError("espeak-ng timed out", stderr.slice(-500)));
    }, opts.timeoutMs ?? 30_000);
    opts.signal?.addEventListener("abort", abort, { once: true });
    child.stderr.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.on("error", (err) =>
      finish(
        new SynthError(
          `espeak-ng could not start: ${err.message}`,
          "",
          (err as NodeJS.ErrnoException).code === "ENOENT",
        ),
      ),
    );
    child.on("close", (code) =>
      code === 0 ? finish() : finish(new SynthError(`espeak-ng exited with ${code}`, stderr.slice(-500))),
    );
    child.stdin.on("error", () => {
      // A synthesiser that exits early closes stdin; its exit code tells what happened.
    });
    child.stdin.end(`${text}\n`, "utf8");
  });
}
