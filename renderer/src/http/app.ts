import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { FrameRequestSchema, RenderSpecSchema } from "../../../contracts/render-spec";
import { SIGNATURE_WINDOW_SECONDS, verifyRequest } from "../../../contracts/signing";
import { SPEECH_CONTENT_TYPE, SPEECH_HEADERS, SpeechRequestSchema } from "../../../contracts/speech";
import { renderFrame } from "../cards/card";
import type { RendererConfig } from "../config";
import { SynthError } from "../ffmpeg/espeak";
import { type HostCheck, unavailableReason } from "../host-check";
import { InvalidJobError } from "../jobs/errors";
import { assertFromOrigin } from "../jobs/inputs";
import type { Metrics } from "../metrics";
import type { RenderQueue } from "../queue/types";
import { synthesize } from "../speech/speech";

export interface AppDeps {
  config: RendererConfig;
  queue: RenderQueue;
  metrics: Metrics;
  host: HostCheck;
}

type Vars = { Variables: { rawBody: Uint8Array } };

const issues = (error: { issues: { path: PropertyKey[]; message: string }[] }) =>
  error.issues.map((i) => ({ field: i.path.map(String).join(".") || "body", message: i.message }));

/**
 * The renderer's HTTP API. Every /v1 request is HMAC-signed by the Worker (contracts/signing.ts):
 * a bad or stale signature, or a replayed nonce, is refused before anything else happens.
 */
export function buildApp(deps: AppDeps) {
  const app = new Hono<Vars>();

  const host = deps.host;
  // While Redis is away every queue call waits for the reconnect (BullMQ's rule), so requests that
  // need it answer 503 at once instead of hanging until the caller times out.
  const redisReady = () => deps.queue.backendState() === "ready";
  const redisMissing = () => `Redis (REDIS_URL is ${deps.queue.backendState()}, not ready)`;

  app.get("/healthz", async (c) => {
    const missing = [...(host.ready ? [] : host.missing), ...(redisReady() ? [] : [redisMissing()])];
    const counts = redisReady() ? await deps.queue.counts() : null;
    return c.json(
      {
        status: missing.length === 0 ? "ok" : "degraded",
        missing,
        ffmpeg: host.ready ? host.tools.ffmpegVersion : null,
        encoder: host.ready ? host.tools.encoder : null,
        queue: counts ? { depth: counts.queued + counts.active, counts } : null,
        redis: deps.queue.backendState(),
      },
      missing.length === 0 ? 200 : 503,
    );
  });

  app.get("/metrics", async (c) => {
    const counts = redisReady()
      ? await deps.queue.counts()
      : { queued: 0, active: 0, completed: 0, failed: 0, cancelled: 0 };
    return c.text(deps.metrics.render(counts), 200, { "Content-Type": "text/plain; version=0.0.4" });
  });

  /** 503 naming what this host lacks, for the routes that run ffmpeg. */
  const unavailable = (c: Context, missing: string[]) =>
    c.json({ error: unavailableReason(missing), missing }, 503);

  app.use(
    "/v1/*",
    bodyLimit({ maxSize: 1024 * 1024, onError: (c) => c.json({ error: "request body too large" }, 413) }),
  );
  app.use("/v1/*", async (c, next) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    const url = new URL(c.req.url);
    const check = await verifyRequest(deps.config.RENDERER_SECRET, {
      method: c.req.method,
      path: url.pathname + url.search,
      body: raw,
      headers: { get: (n) => c.req.header(n) ?? null },
    });
    if (!check.ok) return c.json({ error: `unauthorized: ${check.reason}` }, 401);
    if (!redisReady()) return c.json({ error: `the renderer cannot reach ${redisMissing()}` }, 503);
    if (!(await deps.queue.claimNonce(check.nonce, SIGNATURE_WINDOW_SECONDS * 2))) {
      return c.json({ error: "unauthorized: replayed request" }, 401);
    }
    c.set("rawBody", raw);
    await next();
  });

  const json = (c: { get(k: "rawBody"): Uint8Array }): unknown => {
    try {
      return JSON.parse(new TextDecoder().decode(c.get("rawBody")));
    } catch {
      return undefined;
    }
  };

  app.post("/v1/jobs", async (c) => {
    const parsed = RenderSpecSchema.safeParse(json(c));
    if (!parsed.success) return c.json({ error: "invalid render spec", issues: issues(parsed.error) }, 400);
    const spec = parsed.data;
    try {
      for (const scene of spec.scenes)
        if (scene.image_url) assertFromOrigin(scene.image_url, deps.config.API_ORIGIN);
      if (spec.music_url) assertFromOrigin(spec.music_url, deps.config.API_ORIGIN);
    } catch (err) {
      if (err instanceof InvalidJobError) return c.json({ error: err.message }, 400);
      throw err;
    }
    if (!host.ready) return unavailable(c, host.missing);
    const { status, duplicate } = await deps.queue.enqueue(spec);
    return c.json({ ...status, duplicate }, 202);
  });

  app.get("/v1/jobs/:id", async (c) => {
    const status = await deps.queue.get(c.req.param("id"));
    return status ? c.json(status) : c.json({ error: "no such render" }, 404);
  });

  app.delete("/v1/jobs/:id", async (c) => {
    const status = await deps.queue.cancel(c.req.param("id"));
    if (!status) return c.json({ error: "no such render" }, 404);
    if (status.state === "completed" || status.state === "failed") {
      return c.json({ ...status, error: `render already ${status.state}` }, 409);
    }
    return c.json(status, 202);
  });

  app.post("/v1/frames", async (c) => {
    const parsed = FrameRequestSchema.safeParse(json(c));
    if (!parsed.success) return c.json({ error: "invalid frame request", issues: issues(parsed.error) }, 400);
    if (!host.ready) return unavailable(c, host.missing);
    try {
      const png = await renderFrame(
        {
          bin: host.tools.bin,
          fontFile: host.tools.fontFile,
          apiOrigin: deps.config.API_ORIGIN,
          maxInputBytes: deps.config.MAX_INPUT_BYTES,
        },
        deps.config.WORK_DIR,
        parsed.data,
      );
      deps.metrics.frameDrawn();
      return c.body(new Uint8Array(png), 200, {
        "Content-Type": "image/png",
        "Content-Length": String(png.byteLength),
      });
    } catch (err) {
      if (err instanceof InvalidJobError) return c.json({ error: err.message }, 400);
      throw err;
    }
  });

  app.post("/v1/speech", async (c) => {
    const parsed = SpeechRequestSchema.safeParse(json(c));
    if (!parsed.success)
      return c.json({ error: "invalid speech request", issues: issues(parsed.error) }, 400);
    if (!host.ready) return unavailable(c, host.missing);
    try {
      const line = await synthesize(
        {
          bin: host.tools.bin,
          espeakPath: deps.config.ESPEAK_PATH,
          workDir: deps.config.WORK_DIR,
        },
        parsed.data,
        c.req.raw.signal,
      );
      deps.metrics.lineSpoken();
      return c.body(new Uint8Array(line.wav), 200, {
        "Content-Type": SPEECH_CONTENT_TYPE,
        "Content-Length": String(line.wav.byteLength),
        [SPEECH_HEADERS.duration]: line.duration.toFixed(3),
        [SPEECH_HEADERS.voice]: JSON.stringify(line.voice),
      });
    } catch (err) {
      if (err instanceof InvalidJobError) return c.json({ error: err.message }, 400);
      if (err instanceof SynthError && err.missing)
        return unavailable(c, [`espeak-ng (${deps.config.ESPEAK_PATH}: not found)`]);
      throw err;
    }
  });

  app.onError((err, c) => {
    console.error(
      JSON.stringify({ level: "error", msg: "request failed", path: c.req.path, err: String(err) }),
    );
    return c.json({ error: "internal error" }, 500);
  });
  app.notFound((c) => c.json({ error: "not found" }, 404));
  return app;
}
