import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
} from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import worker from "../../worker/index";
import { call, newUser } from "../helpers/http";

async function outboxRow(prefix: string, now = Date.now()) {
  const row = await env.DB.prepare(
    `INSERT INTO outbox (owner_id, kind, dedupe_key, payload, status, attempts, created_at, updated_at)
     VALUES (NULL, 'r2_cleanup', ?, ?, 'pending', 0, ?, ?) RETURNING id`,
  )
    .bind(`test:${crypto.randomUUID()}`, JSON.stringify({ prefix }), now, now)
    .first<{ id: number }>();
  return row?.id ?? 0;
}

async function status(id: number) {
  return env.DB.prepare("SELECT status, attempts FROM outbox WHERE id = ?")
    .bind(id)
    .first<{ status: string; attempts: number }>();
}

async function runBatch(queue: string, bodies: unknown[], attempts = 1) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts, body })),
  );
  // The test queue records retries but not their delay, so the delay is read from the call.
  const delays = batch.messages.map((m) => vi.spyOn(m, "retry"));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  const result = await getQueueResult(batch, ctx);
  return { ...result, delays: delays.flatMap((spy) => spy.mock.calls.map((args) => args[0]?.delaySeconds)) };
}

describe("jobs queue consumer", () => {
  it("runs an outbox job once, acks each message, and treats a redelivery as done", async () => {
    const prefix = `users/9999/projects/${crypto.randomUUID()}/`;
    await env.BUCKET.put(`${prefix}a.png`, "a");
    await env.BUCKET.put(`${prefix}b/c.mp4`, "c");
    await env.BUCKET.put("users/9999/projects/other/keep.png", "k");
    const id = await outboxRow(prefix);

    const result = await runBatch("short-drama-jobs", [
      { kind: "outbox", id },
      { kind: "outbox", id },
    ]);
    expect(result.ackAll).toBe(false);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1"]);
    expect((await env.BUCKET.list({ prefix })).objects).toHaveLength(0);
    expect(await env.BUCKET.head("users/9999/projects/other/keep.png")).not.toBeNull();
    expect(await status(id)).toEqual({ status: "delivered", attempts: 1 });

    const again = await runBatch("short-drama-jobs", [{ kind: "outbox", id }]);
    expect(again.explicitAcks).toEqual(["m0"]);
    expect(await status(id)).toEqual({ status: "delivered", attempts: 1 });
  });

  it("quarantines malformed messages instead of retrying them", async () => {
    const result = await runBatch("short-drama-jobs", [
      { kind: "render", payload: "x".repeat(10) },
      "garbage",
      null,
    ]);
    expect(result.explicitAcks.sort()).toEqual(["m0", "m1", "m2"]);
    expect(result.retryMessages).toEqual([]);
  });

  it("retries a failing job alone, with backoff, and dead-letters it after the limit", async () => {
    const good = await outboxRow(`users/9998/projects/${crypto.randomUUID()}/`);
    const bad = await outboxRow("short/");
    const result = await runBatch("short-drama-jobs", [
      { kind: "outbox", id: good },
      { kind: "outbox", id: bad },
    ]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(result.retryMessages).toEqual([{ msgId: "m1" }]);
    expect(result.delays).toEqual([5]);
    const later = await runBatch("short-drama-jobs", [{ kind: "outbox", id: bad }], 4);
    expect(later.delays).toEqual([40]);
    expect(await status(bad)).toMatchObject({ status: "failed", attempts: 2 });

    const dlq = await runBatch("short-drama-jobs-dlq", [{ kind: "outbox", id: bad }]);
    expect(dlq.explicitAcks).toEqual(["m0"]);
    expect((await status(bad))?.status).toBe("dead");
  });
});

describe("outbox sweeper (cron)", () => {
  it("re-sends rows whose queue send never happened", async () => {
    const prefix = `users/9997/projects/${crypto.randomUUID()}/`;
    await env.BUCKET.put(`${prefix}x.png`, "x");
    const id = await outboxRow(prefix, Date.now() - 60_000);
    const ctx = createExecutionContext();
    await worker.scheduled(
      createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }),
      env,
      ctx,
    );
    await import("cloudflare:test").then((t) => t.waitOnExecutionContext(ctx));
    // The queue consumer runs the job shortly after the send.
    for (let i = 0; i < 50 && (await status(id))?.status !== "delivered"; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect((await status(id))?.status).toBe("delivered");
    expect((await env.BUCKET.list({ prefix })).objects).toHaveLength(0);
  });
});

describe("project deletion end to end", () => {
  it("removes the project's R2 objects through the queue", async () => {
    const user = await newUser();
    const created = await call("POST", "/api/v1/projects", {
      token: user.token,
      json: { name: "to delete" },
    });
    const prefix = `users/${user.id}/projects/${created.body.id}/`;
    await env.BUCKET.put(`${prefix}characters/1.png`, "png");
    const res = await exports.default.fetch(
      new Request(`https://api.test/api/v1/projects/${created.body.id}`, {
        method: "DELETE",
        headers: { Authorization: `Bearer ${user.token}` },
      }),
    );
    expect(res.status).toBe(200);
    for (let i = 0; i < 50 && (await env.BUCKET.list({ prefix })).objects.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await env.BUCKET.list({ prefix })).objects).toHaveLength(0);
  });
});
