import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../tools/local-stack/services.mjs";
import { createRenderer, type Renderer } from "../src/main";
import { SECRET, signed, smallSpec, testConfig } from "./helpers/renderer";
import { type StubApi, startStubApi } from "./helpers/stub-api";

let stub: StubApi;
const running: Renderer[] = [];

beforeAll(async () => {
  stub = await startStubApi(SECRET);
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.queue.close(0)));
  await stub.close();
});

async function renderer(extra: Record<string, string>) {
  const r = await createRenderer(testConfig(stub, extra));
  running.push(r);
  return r;
}

describe("a host without ffmpeg or the CJK font", () => {
  it("keeps serving: /healthz names what is missing, renders and frames answer 503 naming it", async () => {
    const r = await renderer({ FFMPEG_PATH: "/nonexistent/ffmpeg", FONT_FILE: "/nonexistent/cjk.ttc" });
    const health = await r.app.request("/healthz");
    expect(health.status).toBe(503);
    const body = (await health.json()) as { status: string; missing: string[] };
    expect(body).toMatchObject({ status: "degraded", ffmpeg: null, encoder: null, redis: "ready" });
    expect(body.missing).toEqual([
      "ffmpeg (/nonexistent/ffmpeg: not found)",
      "the font FONT_FILE=/nonexistent/cjk.ttc (no such file)",
    ]);

    const job = await signed(r.app, "POST", "/v1/jobs", smallSpec(stub, "degraded-1"));
    expect(job.status).toBe(503);
    expect(await job.json()).toEqual({
      error:
        "the renderer cannot render on this host, missing: ffmpeg (/nonexistent/ffmpeg: not found); the font FONT_FILE=/nonexistent/cjk.ttc (no such file)",
      missing: body.missing,
    });
    const frame = await signed(r.app, "POST", "/v1/frames", { width: 320, height: 480, style: "comic" });
    expect(frame.status).toBe(503);
    expect(((await frame.json()) as { error: string }).error).toMatch(/missing: ffmpeg/);

    // Nothing was queued, a bad request is still the caller's mistake, and the rest still answers.
    expect((await signed(r.app, "GET", "/v1/jobs/degraded-1")).status).toBe(404);
    expect((await signed(r.app, "POST", "/v1/jobs", { render_id: "x" })).status).toBe(400);
    expect((await r.app.request("/metrics")).status).toBe(200);
    // This process takes no job: queued renders wait for a renderer that can run them.
    expect(r.queue.worker.isRunning()).toBe(false);
  });

  it("names ffprobe alone when only ffprobe is missing", async () => {
    const r = await renderer({ FFPROBE_PATH: "/nonexistent/ffprobe" });
    const body = (await (await r.app.request("/healthz")).json()) as { missing: string[] };
    expect(body.missing).toEqual(["ffprobe (/nonexistent/ffprobe: not found)"]);
  });
});

describe("Redis out of reach", () => {
  it("answers 503 at once instead of waiting for a reconnect, and says so in /healthz", async () => {
    const port = await freePort();
    const r = await renderer({ REDIS_URL: `redis://127.0.0.1:${port}` });
    const health = await r.app.request("/healthz");
    expect(health.status).toBe(503);
    const body = (await health.json()) as { missing: string[]; queue: unknown };
    expect(body.queue).toBeNull();
    expect(body.missing).toEqual([expect.stringMatching(/^Redis \(REDIS_URL is \w+, not ready\)$/)]);
    const job = await signed(r.app, "POST", "/v1/jobs", smallSpec(stub, "no-redis"));
    expect(job.status).toBe(503);
    expect(((await job.json()) as { error: string }).error).toMatch(/cannot reach Redis/);
  });
});

describe("configuration", () => {
  it("refuses to start without REDIS_URL, with one line naming it", async () => {
    const root = join(import.meta.dirname, "..", "..");
    const child = spawn(process.execPath, ["--import", "tsx", join(root, "renderer/src/main.ts")], {
      cwd: root,
      env: { ...process.env, REDIS_URL: "", RENDERER_SECRET: SECRET, API_ORIGIN: stub.origin },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(1);
    const line = JSON.parse(stderr.trim().split("\n").at(-1) ?? "{}") as { level: string; msg: string };
    expect(line.level).toBe("fatal");
    expect(line.msg).toContain("REDIS_URL: REDIS_URL must be set to BullMQ's Redis (redis://host:port)");
  });
});
