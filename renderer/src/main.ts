import { mkdir } from "node:fs/promises";
import { serve } from "@hono/node-server";
import type { RenderSpec } from "../../contracts/render-spec";
import { loadConfig, type RendererConfig } from "./config";
import type { VideoEncoder } from "./ffmpeg/encoder";
import { encoderWorks, ffmpegVersion } from "./ffmpeg/run";
import { buildApp } from "./http/app";
import { MemoryEventOutbox } from "./jobs/events";
import { type ProcessorDeps, processRender, reportCancelledBeforeStart } from "./jobs/processor";
import { Metrics } from "./metrics";
import { BullQueue } from "./queue/bullmq";
import { MemoryQueue } from "./queue/memory";
import type { RenderQueue } from "./queue/types";

/** NVENC when the build has it and a one-frame trial encode works on this host; else libx264. */
export async function chooseEncoder(config: RendererConfig): Promise<VideoEncoder> {
  if (config.ENCODER !== "auto") return config.ENCODER;
  const bin = { ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH };
  return (await encoderWorks(bin, "h264_nvenc")) ? "h264_nvenc" : "libx264";
}

export interface Renderer {
  config: RendererConfig;
  queue: RenderQueue;
  app: ReturnType<typeof buildApp>;
  encoder: VideoEncoder;
  deps: ProcessorDeps;
}

/** Wires config, encoder, queue and HTTP app; `main()` adds the server and signal handling. */
export async function createRenderer(
  config: RendererConfig,
  hooks: Pick<ProcessorDeps, "onFfmpegStart"> = {},
): Promise<Renderer> {
  await mkdir(config.WORK_DIR, { recursive: true });
  const bin = { ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH };
  const [encoder, version] = await Promise.all([chooseEncoder(config), ffmpegVersion(bin)]);
  const metrics = new Metrics();
  const deps: ProcessorDeps = {
    config,
    encoder,
    metrics,
    outbox: new MemoryEventOutbox(config.RENDERER_SECRET, config.CALLBACK_GIVE_UP_SECONDS * 1000),
    onFfmpegStart: hooks.onFfmpegStart,
  };
  const processor = (spec: RenderSpec, attempt: Parameters<typeof processRender>[2]) =>
    processRender(deps, spec, attempt);
  const cancelled = (spec: RenderSpec) => reportCancelledBeforeStart(deps, spec);
  let queue: RenderQueue;
  if (config.REDIS_URL) {
    const bull = new BullQueue(processor, cancelled, {
      redisUrl: config.REDIS_URL,
      name: config.QUEUE_NAME,
      concurrency: config.RENDER_CONCURRENCY,
      attempts: config.RENDER_ATTEMPTS,
      backoffMs: config.RETRY_BACKOFF_MS,
      lockDurationMs: config.LOCK_DURATION_MS,
      stalledIntervalMs: config.STALLED_INTERVAL_MS,
      secret: config.RENDERER_SECRET,
      giveUpMs: config.CALLBACK_GIVE_UP_SECONDS * 1000,
    });
    // Terminal events then live in Redis too, and survive this process.
    deps.outbox = bull.outbox;
    queue = bull;
  } else {
    queue = new MemoryQueue(processor, cancelled, {
      concurrency: config.RENDER_CONCURRENCY,
      attempts: config.RENDER_ATTEMPTS,
      backoffMs: config.RETRY_BACKOFF_MS,
    });
  }
  const app = buildApp({ config, queue, metrics, encoder, ffmpegVersion: version });
  return { config, queue, app, encoder, deps };
}

export async function main() {
  const config = loadConfig();
  const renderer = await createRenderer(config);
  const server = serve({ fetch: renderer.app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    console.log(
      JSON.stringify({
        level: "info",
        msg: "renderer listening",
        url: `http://${info.address}:${info.port}`,
        queue: renderer.queue.kind,
        encoder: renderer.encoder,
      }),
    );
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(JSON.stringify({ level: "info", msg: "shutting down", signal }));
    server.close();
    await renderer.queue.close(config.SHUTDOWN_GRACE_SECONDS * 1000);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    console.error(JSON.stringify({ level: "fatal", msg: String(err) }));
    process.exit(1);
  });
}
