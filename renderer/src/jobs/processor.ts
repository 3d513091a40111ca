import { type RenderSpec, RenderSpecSchema } from "../../../contracts/render-spec";
import type { RendererConfig } from "../config";
import type { Toolchain } from "../host-check";
import type { Metrics } from "../metrics";
import { CancelledError, InvalidJobError, SHUTDOWN } from "./errors";
import { type EventOutbox, postEvent, stampEvent } from "./events";
import { type RenderResult, renderJob, type Stage } from "./render-job";

export interface ProcessorDeps {
  config: RendererConfig;
  /** Found on this host at start; a renderer without it never takes a job. */
  tools: Toolchain;
  outbox: EventOutbox;
  metrics: Metrics;
  /** Observes ffmpeg processes (tests check that a cancel leaves none behind). */
  onFfmpegStart?: ((renderId: string, pid: number | undefined) => void) | undefined;
}

export interface Attempt {
  /** 1 for the first try. */
  attempt: number;
  maxAttempts: number;
  signal: AbortSignal;
  /** Persists progress where the queue keeps it (for GET /v1/jobs/{id}). */
  saveProgress: (fraction: number, stage: Stage) => void;
}

/** Reads a spec; a spec that does not parse can never render. */
export function parseSpec(raw: unknown): RenderSpec {
  const parsed = RenderSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InvalidJobError(
      `invalid render spec: ${parsed.error.issues.map((i) => `${i.path.join(".") || "spec"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.data;
}

/** A render cancelled before it ever started still gets its one terminal event. */
export async function reportCancelledBeforeStart(
  deps: Pick<ProcessorDeps, "outbox" | "metrics">,
  raw: unknown,
): Promise<void> {
  const spec = parseSpec(raw);
  await deps.outbox.push(spec.callback_url, stampEvent({ render_id: spec.render_id, type: "cancelled" }));
  deps.metrics.jobFinished("cancelled");
}

/**
 * One attempt of one render, as the queue runs it: renders, reports progress at most
 * once a second, and queues exactly one terminal event — completed, cancelled, or failed once the
 * error is unrecoverable or the attempts are used up.
 */
export async function processRender(
  deps: ProcessorDeps,
  raw: unknown,
  attempt: Attempt,
): Promise<RenderResult> {
  const spec = parseSpec(raw);
  const terminal = (event: Parameters<typeof stampEvent>[0]) =>
    deps.outbox.push(spec.callback_url, stampEvent(event));
  let lastSent = 0;
  const progress = (fraction: number, stage: Stage) => {
    attempt.saveProgress(fraction, stage);
    const now = Date.now();
    if (now - lastSent < 1000) return;
    lastSent = now;
    void postEvent(
      deps.config.RENDERER_SECRET,
      spec.callback_url,
      stampEvent({
        render_id: spec.render_id,
        type: "progress",
        progress: Math.round(fraction * 1000) / 1000,
        stage,
      }),
      5000,
    );
  };
  try {
    const result = await renderJob(spec, {
      bin: deps.tools.bin,
      fontFile: deps.tools.fontFile,
      apiOrigin: deps.config.API_ORIGIN,
      workDir: deps.config.WORK_DIR,
      encoder: deps.tools.encoder,
      maxInputBytes: deps.config.MAX_INPUT_BYTES,
      maxMusicBytes: deps.config.MAX_MUSIC_BYTES,
      upload: {
        singleMaxBytes: deps.config.UPLOAD_SINGLE_MAX_BYTES,
        partBytes: deps.config.UPLOAD_PART_BYTES,
      },
      parallelChunks: deps.config.RENDER_PARALLEL_CHUNKS,
      memoryMb: deps.config.RENDER_MEMORY_MB,
      encoderThreads: deps.config.RENDER_ENCODER_THREADS,
      secret: deps.config.RENDERER_SECRET,
      maxClipBytes: deps.config.MAX_CLIP_BYTES,
      signal: attempt.signal,
      progress,
      onFfmpegStart: (pid) => deps.onFfmpegStart?.(spec.render_id, pid),
    });
    await terminal({ render_id: spec.render_id, type: "completed", ...result });
    deps.metrics.jobFinished("completed");
    deps.metrics.rendered(result.render_seconds, result.duration, result.x_realtime);
    return result;
  } catch (err) {
    // A render stopped by a shutdown is handed back to the queue, not finished: no terminal event.
    if (attempt.signal.aborted && attempt.signal.reason === SHUTDOWN) throw err;
    if (err instanceof CancelledError) {
      await terminal({ render_id: spec.render_id, type: "cancelled" });
      deps.metrics.jobFinished("cancelled");
    } else if (err instanceof InvalidJobError || attempt.attempt >= attempt.maxAttempts) {
      await terminal({
        render_id: spec.render_id,
        type: "failed",
        error: err instanceof Error ? err.message : String(err),
        retryable: !(err instanceof InvalidJobError),
      });
      deps.metrics.jobFinished("failed");
    }
    throw err;
  }
}
