import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import decodePngWasm, { init as initPng } from "@jsquash/png/decode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARD_STYLES } from "../../contracts/render-spec";
import { consistencyScore, signatureOf } from "../../worker/core/media/signature";
import { createRenderer, type Renderer } from "../src/main";
import { ffprobe, makeStill } from "./helpers/media";
import { eventsDelivered, SECRET, signed, smallSpec, testConfig, until } from "./helpers/renderer";
import { type StubApi, startStubApi } from "./helpers/stub-api";

// The Worker's PNG decoder (@jsquash/png), given its wasm from disk as Node cannot fetch it.
const pngReady = initPng(
  await WebAssembly.compile(
    readFileSync(new URL("../../node_modules/@jsquash/png/codec/pkg/squoosh_png_bg.wasm", import.meta.url)),
  ),
);
async function decodePng(bytes: Uint8Array) {
  await pngReady;
  const img = await decodePngWasm(bytes.slice().buffer);
  return { width: img.width, height: img.height, data: new Uint8Array(img.data.buffer) };
}

let stub: StubApi;
let renderer: Renderer;
const media = mkdtempSync(join(tmpdir(), "sds-media-"));
const pids = new Map<string, number | undefined>();

beforeAll(async () => {
  stub = await startStubApi(SECRET);
  for (let i = 0; i < 2; i++) stub.serve(`/files/s${i}.png`, await makeStill(media, i), "image/png");
  stub.serve("/files/not-an-image.png", "<html><script>alert(1)</script></html>", "image/png");
  renderer = await createRenderer(testConfig(stub), { onFfmpegStart: (id, pid) => pids.set(id, pid) });
});
afterAll(async () => {
  await renderer.queue.close(5_000);
  await stub.close();
});

const app = () => renderer.app;

describe("HMAC on every /v1 request", () => {
  it("refuses missing, wrong, stale and replayed signatures", async () => {
    expect((await app().request("/v1/jobs/x")).status).toBe(401);
    expect(
      (await signed(app(), "GET", "/v1/jobs/x", undefined, { secret: "not-the-secret-at-all" })).status,
    ).toBe(401);
    const stale = await signed(app(), "GET", "/v1/jobs/x", undefined, {
      nowSeconds: Math.floor(Date.now() / 1000) - 600,
    });
    expect(await stale.json()).toEqual({ error: "unauthorized: stale timestamp" });
    const nonce = crypto.randomUUID();
    expect((await signed(app(), "GET", "/v1/jobs/x", undefined, { nonce })).status).toBe(404);
    const replay = await signed(app(), "GET", "/v1/jobs/x", undefined, { nonce });
    expect(replay.status).toBe(401);
    expect(await replay.json()).toEqual({ error: "unauthorized: replayed request" });
  });
});

describe("jobs (BullMQ on a real redis-server)", () => {
  it("renders, reports progress at most once a second and completion once, and is idempotent by render id", async () => {
    const spec = smallSpec(stub, "http-1");
    const first = await signed(app(), "POST", "/v1/jobs", spec);
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ render_id: "http-1", duplicate: false });
    const again = await signed(app(), "POST", "/v1/jobs", spec);
    expect(await again.json()).toMatchObject({ render_id: "http-1", duplicate: true });

    const done = await until(async () => {
      const res = await signed(app(), "GET", "/v1/jobs/http-1");
      const body = (await res.json()) as { state: string };
      return body.state === "completed" ? body : undefined;
    }, "completion");
    expect(done).toMatchObject({
      state: "completed",
      progress: 1,
      attempts: 1,
      result: { encoder: "libx264", width: 720 },
    });
    await eventsDelivered(renderer);
    const mine = stub.events.filter((e) => e.render_id === "http-1");
    const completed = mine.filter((e) => e.type === "completed");
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      event_id: "http-1:completed",
      duration: expect.any(Number),
      encoder: "libx264",
    });
    const progress = mine.filter((e) => e.type === "progress").map((e) => e.sequence);
    for (let i = 1; i < progress.length; i++)
      expect((progress[i] ?? 0) - (progress[i - 1] ?? 0)).toBeGreaterThanOrEqual(900);
    expect(stub.rejectedEvents).toBe(0);
    expect((await ffprobe((await stub.uploaded("http-1.mp4"))?.file ?? "")).duration).toBeCloseTo(3.5, 1);
  });

  it("refuses bad specs with a clear error, and never queues them", async () => {
    const base = smallSpec(stub, "bad");
    const cases: [unknown, RegExp][] = [
      [{ ...base, scenes: [] }, /scenes/],
      [{ ...base, scenes: [{ text: "x", duration: -1 }] }, /scenes\.0\.duration/],
      [{ ...base, resolution: "8k" }, /resolution/],
      [
        { ...base, scenes: [{ image_url: "https://evil.example/x.png", duration: 2 }] },
        /not on the API origin/,
      ],
      [{ ...base, music_url: "http://169.254.169.254/latest/meta-data" }, /not on the API origin/],
    ];
    for (const [body, pattern] of cases) {
      const res = await signed(app(), "POST", "/v1/jobs", body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(pattern);
    }
    expect((await signed(app(), "GET", "/v1/jobs/bad")).status).toBe(404);
  });

  it("fails at once, without retries, when an input is not an image", async () => {
    const spec = smallSpec(stub, "fake-image", {
      scenes: [{ image_url: `${stub.origin}/files/not-an-image.png`, duration: 2 }],
    });
    await signed(app(), "POST", "/v1/jobs", spec);
    const failed = await until(async () => {
      const body = (await (await signed(app(), "GET", "/v1/jobs/fake-image")).json()) as { state: string };
      return body.state === "failed" ? body : undefined;
    }, "failure");
    expect(failed).toMatchObject({
      attempts: 1,
      error: expect.stringContaining("is not a PNG, JPEG or WebP image"),
    });
    await eventsDelivered(renderer);
    expect(stub.events.filter((e) => e.render_id === "fake-image" && e.type === "failed")).toEqual([
      expect.objectContaining({ retryable: false }),
    ]);
  });

  it("cancels mid-render: no ffmpeg left running, no temp files, one cancelled event", async () => {
    const spec = smallSpec(stub, "cancel-me", {
      resolution: "1080p",
      aspect_ratio: "9:16",
      scenes: Array.from({ length: 6 }, (_, i) => ({
        image_url: `${stub.origin}/files/s${i % 2}.png`,
        duration: 4,
      })),
    });
    await signed(app(), "POST", "/v1/jobs", spec);
    await until(() => pids.get("cancel-me"), "ffmpeg to start");
    const pid = pids.get("cancel-me") as number;
    const res = await signed(app(), "DELETE", "/v1/jobs/cancel-me");
    expect(res.status).toBe(202);
    await until(async () => {
      const body = (await (await signed(app(), "GET", "/v1/jobs/cancel-me")).json()) as { state: string };
      return body.state === "cancelled";
    }, "cancelled");
    // The job reads cancelled as soon as the cancel is recorded in Redis; the process running it
    // stops ffmpeg and cleans up, then sends the one terminal event.
    await until(
      () => stub.events.some((e) => e.render_id === "cancel-me" && e.type === "cancelled"),
      "the event",
    );
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(readdirSync(renderer.config.WORK_DIR).filter((f) => f.includes("cancel-me"))).toEqual([]);
    await eventsDelivered(renderer);
    expect(
      stub.events.filter((e) => e.render_id === "cancel-me" && e.type !== "progress").map((e) => e.type),
    ).toEqual(["cancelled"]);
    expect(await stub.uploaded("cancel-me.mp4")).toBeUndefined();
  });
});

describe("frames, health and metrics", () => {
  it("draws a PNG card of the requested size in every style, with CJK text and references", async () => {
    for (const style of CARD_STYLES) {
      const res = await signed(app(), "POST", "/v1/frames", {
        width: 320,
        height: 480,
        style,
        title: "第一场",
        text: "主角在公园散步，阳光明媚。The hero walks.",
        reference_images: style === "anime" ? [`${stub.origin}/files/s0.png`] : [],
      });
      expect(res.status, style).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("image/png");
      const file = join(media, `card-${style}.png`);
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      expect((await ffprobe(file)).streams[0]).toMatchObject({ codec_name: "png", width: 320, height: 480 });
    }
    const foreign = await signed(app(), "POST", "/v1/frames", {
      width: 320,
      height: 480,
      style: "comic",
      reference_images: ["http://127.0.0.1:6379/"],
    });
    expect(foreign.status).toBe(400);
    const huge = await signed(app(), "POST", "/v1/frames", { width: 100000, height: 480, style: "comic" });
    expect(huge.status).toBe(400);
  });

  it("draws cards the Worker's appearance signatures find their character in (a real consistency score)", async () => {
    const card = async (refs: string[]) => {
      const res = await signed(app(), "POST", "/v1/frames", {
        width: 720,
        height: 1280,
        style: "cinematic",
        title: "第1场",
        text: "小明在公园散步",
        reference_images: refs,
      });
      expect(res.status).toBe(200);
      return decodePng(new Uint8Array(await res.arrayBuffer()));
    };
    const hero = signatureOf(await decodePng(new Uint8Array(await makeStill(media, 0))));
    const withHero = consistencyScore(await card([`${stub.origin}/files/s0.png`]), [hero]) ?? 0;
    const withOther = consistencyScore(await card([`${stub.origin}/files/s1.png`]), [hero]) ?? 0;
    const without = consistencyScore(await card([]), [hero]) ?? 0;
    expect(withHero).toBeGreaterThan(withOther + 0.2);
    expect(withHero).toBeGreaterThan(without + 0.2);
  });

  it("reports ffmpeg, encoder and queue in /healthz and Prometheus text in /metrics", async () => {
    const health = (await (await app().request("/healthz")).json()) as Record<string, unknown>;
    expect(health).toMatchObject({
      status: "ok",
      encoder: "libx264",
      missing: [],
      redis: "ready",
      queue: { depth: expect.any(Number) },
    });
    expect(String(health.ffmpeg)).toMatch(/^ffmpeg version/);
    const metrics = await (await app().request("/metrics")).text();
    expect(metrics).toContain('sds_render_jobs{state="completed"}');
    expect(metrics).toMatch(/sds_render_seconds_total \d/);
    expect(metrics).toMatch(/sds_render_x_realtime [\d.]+/);
    expect(metrics).toMatch(/sds_frames_total [1-9]/);
  });
});
