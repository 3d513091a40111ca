import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { type RenderSpecInput, RenderSpecSchema } from "../../../contracts/render-spec";
import { signRequest } from "../../../contracts/signing";
import { loadConfig, type RendererConfig } from "../../src/config";
import { findFont } from "../../src/host-check";
import { type JobContext, type RenderResult, renderJob } from "../../src/jobs/render-job";
import type { Renderer } from "../../src/main";
import type { StubApi } from "./stub-api";

export const SECRET = "test-renderer-secret-0123456789";

/** A renderer's config on the run's redis-server, with a queue of its own (a random name). */
export function testConfig(stub: StubApi, extra: Record<string, string> = {}): RendererConfig {
  return loadConfig({
    RENDERER_SECRET: SECRET,
    API_ORIGIN: stub.origin,
    REDIS_URL: inject("redisUrl"),
    QUEUE_NAME: `t-${crypto.randomUUID().slice(0, 8)}`,
    WORK_DIR: mkdtempSync(join(tmpdir(), "sds-render-test-")),
    ENCODER: "libx264",
    RETRY_BACKOFF_MS: "50",
    ...extra,
  });
}

/** A signed request to the renderer's app (as the Worker would send it). */
export async function signed(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  method: string,
  path: string,
  body?: unknown,
  opts: { secret?: string; nowSeconds?: number; nonce?: string } = {},
) {
  const text = body === undefined ? "" : JSON.stringify(body);
  const headers = await signRequest(opts.secret ?? SECRET, {
    method,
    path,
    body: text,
    nowSeconds: opts.nowSeconds,
    nonce: opts.nonce,
  });
  return app.request(path, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
    body: body === undefined ? undefined : text,
  });
}

/** A small render spec whose inputs and outputs live on the stub. */
export function smallSpec(stub: StubApi, id: string, over: Partial<RenderSpecInput> = {}): RenderSpecInput {
  return {
    render_id: id,
    aspect_ratio: "1:1",
    resolution: "720p",
    include_subtitles: true,
    scenes: [
      { image_url: `${stub.origin}/files/s0.png`, caption: "雨夜里，她终于推开了那扇门。", duration: 1.5 },
      { image_url: `${stub.origin}/files/s1.png`, caption: "“你怎么会在这里？”", duration: 1.5 },
      { text: "第三场：天亮了", caption: "Morning comes.", duration: 1.5 },
    ],
    outputs: {
      video: stub.target(`${id}.mp4`),
      srt: stub.target(`${id}.srt`),
      vtt: stub.target(`${id}.vtt`),
      poster: stub.target(`${id}.jpg`),
      contact_sheet: stub.target(`${id}.png`),
    },
    callback_url: `${stub.origin}/events`,
    ...over,
  };
}

export async function until<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  what: string,
  ms = 60_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The CJK font the renderer finds on this host (the tests need one, as the renderer does). */
export function testFont(): string {
  const font = findFont(undefined);
  if ("missing" in font) throw new Error(`missing ${font.missing}`);
  return font.file;
}

/** Waits until every terminal event the renderer queued has been delivered (its outbox is empty). */
export async function eventsDelivered(renderer: Renderer): Promise<void> {
  const outbox = renderer.queue.outbox.queue;
  await until(async () => {
    const c = await outbox.getJobCounts("waiting", "active", "delayed", "prioritized");
    return Object.values(c).every((n) => n === 0);
  }, "the event outbox to drain");
}

/** The job context the processor would build from a config (tests call renderJob directly). */
export function jobContext(config: RendererConfig, over: Partial<JobContext> = {}): JobContext {
  return {
    bin: { ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH },
    fontFile: testFont(),
    apiOrigin: config.API_ORIGIN,
    secret: config.RENDERER_SECRET,
    workDir: config.WORK_DIR,
    encoder: "libx264",
    maxInputBytes: config.MAX_INPUT_BYTES,
    maxMusicBytes: config.MAX_MUSIC_BYTES,
    maxClipBytes: config.MAX_CLIP_BYTES,
    upload: { singleMaxBytes: config.UPLOAD_SINGLE_MAX_BYTES, partBytes: config.UPLOAD_PART_BYTES },
    parallelChunks: 2,
    signal: new AbortController().signal,
    progress: () => {},
    ...over,
  };
}

/** Renders a spec in this process, as a renderer's processor would. */
export async function renderSpec(
  stub: StubApi,
  spec: RenderSpecInput,
  over: Partial<JobContext> = {},
  extra: Record<string, string> = {},
): Promise<RenderResult> {
  return renderJob(RenderSpecSchema.parse(spec), jobContext(testConfig(stub, extra), over));
}
