import { mkdir } from "node:fs/promises";
import { serve } from "@hono/node-server";
import type { RenderSpec } from "../../contracts/render-spec";
import { loadConfig, type RendererConfig } from "./config";
import { checkHost, type HostCheck, unavailableReason } from "./host-check";
import { buildApp } from "./http/app";
import { type ProcessorDeps, processRender, reportCancelledBeforeStart } from "./jobs/processor";
import { Metrics } from "./metrics";
import { BullEventOutbox, BullQueue, redisClient } from "./queue/bullmq";

export interface Renderer {
  config: RendererConfig;
  queue: BullQueue;
  app: ReturnType<typeof buildApp>;
  host: HostCheck;
  /** Null when the host is not ready: then no job is taken. */
  deps: ProcessorDeps | null;
}

/**
 * Wires config, host check, queue and HTTP app; `main()` adds the server and signal handling. A host
 * without ffmpeg or the font still serves: health says what is missing, job status and cancels
 * work, and renders and frames answer 503 naming the missing piece; this process then takes no job,
 * so jobs already queued wait for a renderer that can run them instead of failing here.
 */
export async function createRenderer(
  config: RendererConfig,
  hooks: Pick<ProcessorDeps, "onFfmpegStart"> = {},
): Promise<Renderer> {
  await mkdir(config.WORK_DIR, { recursive: true });
  const host = await checkHost(config);
  const metrics = new Metrics();
  const giveUpMs = config.CALLBACK_GIVE_UP_SECONDS * 1000;
  // Terminal events live in Redis and survive this process; delivering them needs no ffmpeg.
  const outbox = new BullEventOutbox(
    redisClient(config.REDIS_URL),
    config.QUEUE_NAME,
    config.RENDERER_SECRET,
    giveUpMs,
    true,
  );
  const deps: ProcessorDeps | null = host.ready
    ? { config, tools: host.tools, metrics, outbox, onFfmpegStart: hooks.onFfmpegStart }
    : null;
  const processor = (spec: RenderSpec, attempt: Parameters<typeof processRender>[2]) =>
    deps
      ? processRender(deps, spec, attempt)
      : Promise.reject(new Error(unavailableReason(host.ready ? [] : host.missing)));
  const queue = new BullQueue(
    processor,
    (spec: RenderSpec) => reportCancelledBeforeStart({ outbox, metrics }, spec),
    {
      redisUrl: config.REDIS_URL,
      name: config.QUEUE_NAME,
      concurrency: config.RENDER_CONCURRENCY,
      attempts: config.RENDER_ATTEMPTS,
      backoffMs: config.RETRY_BACKOFF_MS,
      lockDurationMs: config.LOCK_DURATION_MS,
      stalledIntervalMs: config.STALLED_INTERVAL_MS,
      secret: config.RENDERER_SECRET,
      giveUpMs,
      work: host.ready,
    },
    outbox,
  );
  // Redis usually answers within milliseconds; waiting for it here keeps a renderer that has just
  // started from answering its first requests with "Redis not ready".
  await queue.connected(5_000);
  const app = buildApp({ config, queue, metrics, host });
  return { config, queue, app, host, deps };
}

export async function main() {
  const config = loadConfig();
  const renderer = await createRenderer(config);
  const server = serve({ fetch: renderer.app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    console.log(
      JSON.stringify({
        level: renderer.host.ready ? "info" : "warn",
        msg: renderer.host.ready ? "renderer listening" : "renderer listening, degraded",
        url: `http://${info.address}:${info.port}`,
        ...(renderer.host.ready
          ? { encoder: renderer.host.tools.encoder }
          : { reason: unavailableReason(renderer.host.missing) }),
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
