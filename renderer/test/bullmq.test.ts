import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue, QueueEvents } from "bullmq";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../tools/local-stack/services.mjs";
import { createRenderer, type Renderer } from "../src/main";
import { type BullQueue, redisClient } from "../src/queue/bullmq";
import { makeStill } from "./helpers/media";
import { SECRET, signed, smallSpec, testConfig, until } from "./helpers/renderer";
import { type StubApi, startStubApi } from "./helpers/stub-api";

let stub: StubApi;
const media = mkdtempSync(join(tmpdir(), "sds-media-"));
const running: Renderer[] = [];

beforeAll(async () => {
  stub = await startStubApi(SECRET);
  for (let i = 0; i < 2; i++) stub.serve(`/files/s${i}.png`, await makeStill(media, i), "image/png");
  stub.fail("/files/flaky.png", 503);
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.queue.close(0).catch(() => {})));
  await stub.close();
});

/** A renderer on BullMQ with a queue of its own (a random name) and test-friendly timings. */
async function bullRenderer(
  queueName: string,
  extra: Record<string, string> = {},
  pids?: Map<string, number | undefined>,
) {
  const r = await createRenderer(
    testConfig(stub, {
      QUEUE_NAME: queueName,
      LOCK_DURATION_MS: "1000",
      STALLED_INTERVAL_MS: "300",
      RENDER_ATTEMPTS: "2",
      ...extra,
    }),
    { onFfmpegStart: (id, pid) => pids?.set(id, pid) },
  );
  running.push(r);
  return r;
}

const queueName = () => `t-${crypto.randomUUID().slice(0, 8)}`;
const terminal = (id: string) =>
  stub.events.filter((e) => e.render_id === id && e.type !== "progress").map((e) => e.type);

async function stateOf(r: Renderer, id: string) {
  return (await r.queue.get(id))?.state;
}

describe("BullMQ queue on a real redis-server", () => {
  it("runs a duplicate jobId once, even when dispatched concurrently", async () => {
    const starts = new Map<string, number | undefined>();
    let count = 0;
    const r = await bullRenderer(
      queueName(),
      {},
      new Proxy(starts, {
        get(target, prop, recv) {
          if (prop === "set")
            return (k: string, v: number) => {
              count++;
              return target.set(k, v);
            };
          return Reflect.get(target, prop, recv);
        },
      }),
    );
    const spec = smallSpec(stub, "dup-1", { scenes: smallSpec(stub, "x").scenes.slice(0, 1) });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => signed(r.app, "POST", "/v1/jobs", spec)),
    );
    const bodies = await Promise.all(answers.map((a) => a.json() as Promise<{ duplicate: boolean }>));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(bodies.filter((b) => !b.duplicate).length).toBeGreaterThanOrEqual(1);
    await until(async () => (await stateOf(r, "dup-1")) === "completed", "completion");
    await until(() => terminal("dup-1").length > 0, "the completed event");
    await new Promise((res) => setTimeout(res, 500));
    expect(count).toBe(1);
    expect(terminal("dup-1")).toEqual(["completed"]);
  });

  it("retries a transient failure with backoff and sends one failure event once the attempts are used up", async () => {
    const r = await bullRenderer(queueName(), { RETRY_BACKOFF_MS: "200" });
    const spec = smallSpec(stub, "flaky-1", {
      scenes: [{ image_url: `${stub.origin}/files/flaky.png`, duration: 2 }],
    });
    await signed(r.app, "POST", "/v1/jobs", spec);
    await until(async () => (await stateOf(r, "flaky-1")) === "failed", "failure");
    const status = await r.queue.get("flaky-1");
    expect(status).toMatchObject({ attempts: 2, error: expect.stringContaining("503") });
    expect(stub.requests.filter((q) => q.path === "/files/flaky.png")).toHaveLength(2);
    await until(() => terminal("flaky-1").length > 0, "the failure event");
    await new Promise((res) => setTimeout(res, 500));
    expect(stub.events.filter((e) => e.render_id === "flaky-1" && e.type === "failed")).toEqual([
      expect.objectContaining({ retryable: true, error: expect.stringContaining("503") }),
    ]);
  });

  it("fails an invalid input at once, never retried (UnrecoverableError)", async () => {
    stub.serve("/files/text.png", "just text", "image/png");
    const r = await bullRenderer(queueName());
    await signed(
      r.app,
      "POST",
      "/v1/jobs",
      smallSpec(stub, "bad-input", { scenes: [{ image_url: `${stub.origin}/files/text.png`, duration: 2 }] }),
    );
    await until(async () => (await stateOf(r, "bad-input")) === "failed", "failure");
    expect(await r.queue.get("bad-input")).toMatchObject({ attempts: 1 });
  });

  it("cancels a render running in another process through Redis: ffmpeg killed, temp files removed", async () => {
    const name = queueName();
    const pids = new Map<string, number | undefined>();
    const worker = await bullRenderer(name, {}, pids);
    const api = await bullRenderer(name, { RENDER_CONCURRENCY: "1" });
    await (api.queue as BullQueue).worker.close(); // this one only takes requests
    const spec = smallSpec(stub, "cancel-bull", {
      resolution: "1080p",
      aspect_ratio: "9:16",
      scenes: Array.from({ length: 6 }, (_, i) => ({
        image_url: `${stub.origin}/files/s${i % 2}.png`,
        duration: 4,
      })),
    });
    await signed(api.app, "POST", "/v1/jobs", spec);
    await until(() => pids.get("cancel-bull"), "ffmpeg to start");
    expect((await signed(api.app, "DELETE", "/v1/jobs/cancel-bull")).status).toBe(202);
    await until(
      async () => (await stateOf(api, "cancel-bull")) === "cancelled" && terminal("cancel-bull").length > 0,
      "cancelled",
    );
    expect(existsSync(`/proc/${pids.get("cancel-bull")}`)).toBe(false);
    expect(readdirSync(worker.config.WORK_DIR).filter((f) => f.includes("cancel-bull"))).toEqual([]);
    expect(terminal("cancel-bull")).toEqual(["cancelled"]);
    // A queued job is removed outright.
    await (worker.queue as BullQueue).worker.pause();
    await signed(api.app, "POST", "/v1/jobs", smallSpec(stub, "cancel-queued"));
    expect(await (await signed(api.app, "DELETE", "/v1/jobs/cancel-queued")).json()).toMatchObject({
      state: "cancelled",
    });
    await until(() => terminal("cancel-queued").length > 0, "cancel event");
    expect(terminal("cancel-queued")).toEqual(["cancelled"]);
  });

  it("reports the Redis state and queue depth in /healthz", async () => {
    const r = await bullRenderer(queueName());
    const health = (await (await r.app.request("/healthz")).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ status: "ok", missing: [], redis: "ready", queue: { depth: 0 } });
  });
});

describe("graceful shutdown", () => {
  function start(name: string, port: number, grace: string): ChildProcess {
    const root = join(import.meta.dirname, "..", "..");
    // One process (tsx as a loader, not its CLI, which would add a parent process): a signal or a
    // SIGKILL reaches the renderer itself.
    return spawn(process.execPath, ["--import", "tsx", join(root, "renderer/src/main.ts")], {
      cwd: root,
      env: {
        ...process.env,
        PORT: String(port),
        RENDERER_SECRET: SECRET,
        API_ORIGIN: stub.origin,
        REDIS_URL: inject("redisUrl"),
        QUEUE_NAME: name,
        ENCODER: "libx264",
        SHUTDOWN_GRACE_SECONDS: grace,
        LOCK_DURATION_MS: "1000",
        STALLED_INTERVAL_MS: "300",
        WORK_DIR: mkdtempSync(join(tmpdir(), "sds-shutdown-")),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
  }

  async function dispatch(port: number, spec: unknown) {
    const { signRequest } = await import("../../contracts/signing");
    const body = JSON.stringify(spec);
    await until(async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      } catch {
        return false;
      }
    }, "the renderer to listen");
    const res = await fetch(`http://127.0.0.1:${port}/v1/jobs`, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(await signRequest(SECRET, { method: "POST", path: "/v1/jobs", body })),
      },
      body,
    });
    expect(res.status).toBe(202);
  }

  it("SIGTERM lets the running job finish, then exits 0 without leaving it stalled", async () => {
    const name = queueName();
    const port = await freePort();
    const child = start(name, port, "60");
    const exit = new Promise<number | null>((r) => child.once("exit", r));
    await dispatch(port, smallSpec(stub, "sigterm-1"));
    const queue = new Queue(name, { connection: redisClient(inject("redisUrl")) });
    await until(
      async () => (await (await queue.getJob("sigterm-1"))?.getState()) === "active",
      "the job to start",
    );
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    const job = await queue.getJob("sigterm-1");
    expect(await job?.getState()).toBe("completed");
    expect(job?.stalledCounter ?? 0).toBe(0);
    await queue.close();
  });

  it("a renderer killed mid-job (SIGKILL) leaves a stalled job that another renderer completes once", async () => {
    const name = queueName();
    const port = await freePort();
    const child = start(name, port, "30");
    const exit = new Promise<number | null>((r) => child.once("exit", r));
    await dispatch(
      port,
      smallSpec(stub, "stall-1", {
        scenes: Array.from({ length: 4 }, (_, i) => ({
          image_url: `${stub.origin}/files/s${i % 2}.png`,
          duration: 2,
        })),
      }),
    );
    const queue = new Queue(name, { connection: redisClient(inject("redisUrl")) });
    const events = new QueueEvents(name, { connection: redisClient(inject("redisUrl")) });
    const stalled: string[] = [];
    events.on("stalled", ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    await until(
      async () => (await (await queue.getJob("stall-1"))?.getState()) === "active",
      "the job to start",
    );
    child.kill("SIGKILL");
    await exit;
    const other = await bullRenderer(name);
    await until(
      async () => (await stateOf(other, "stall-1")) === "completed",
      "completion elsewhere",
      90_000,
    );
    expect(stalled).toEqual(["stall-1"]);
    expect((await queue.getJob("stall-1"))?.attemptsMade).toBe(1);
    await events.close();
    await until(() => terminal("stall-1").length > 0, "the completed event");
    await new Promise((res) => setTimeout(res, 500));
    expect(terminal("stall-1")).toEqual(["completed"]);
    await queue.close();
  });

  it("past the grace period it kills the render and hands the job back to another renderer", async () => {
    const name = queueName();
    const port = await freePort();
    const child = start(name, port, "0");
    const exit = new Promise<number | null>((r) => child.once("exit", r));
    await dispatch(
      port,
      smallSpec(stub, "handback-1", {
        scenes: Array.from({ length: 4 }, (_, i) => ({
          image_url: `${stub.origin}/files/s${i % 2}.png`,
          duration: 2,
        })),
      }),
    );
    const queue = new Queue(name, { connection: redisClient(inject("redisUrl")) });
    await until(
      async () => (await (await queue.getJob("handback-1"))?.getState()) === "active",
      "the job to start",
    );
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(await (await queue.getJob("handback-1"))?.getState()).toBe("waiting");
    expect((await queue.getJob("handback-1"))?.attemptsMade).toBe(0);
    const other = await bullRenderer(name);
    await until(
      async () => (await stateOf(other, "handback-1")) === "completed",
      "completion elsewhere",
      90_000,
    );
    await until(() => terminal("handback-1").length > 0, "the completed event");
    expect(terminal("handback-1")).toEqual(["completed"]);
    await queue.close();
  });
});
