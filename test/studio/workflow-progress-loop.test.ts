import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newTenant } from "../helpers/automation";
import {
  deliverQueued,
  fetchWith,
  nextWorkflowId,
  type RecordingEnv,
  recordingEnv,
  recordWorkflowRun,
} from "../helpers/recording-env";
import { studioProject } from "../helpers/studio";
import { TWO_SCENE_SCRIPT } from "../helpers/workflows";

const bearer = (token: string) => ({ Authorization: `Bearer ${token}`, "Content-Type": "application/json" });

/**
 * D1 as the object sees it, counted: round trips (a batch is one) and the statements they carry.
 * Wraps the recording bindings, so the queue stays in the test's hands.
 */
function countingD1(real: D1Database) {
  const log = { roundTrips: 0, statements: [] as string[] };
  const sqlOf = new WeakMap<object, string>();
  const wrap = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement => {
    const proxy: D1PreparedStatement = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind") return (...params: unknown[]) => wrap(target.bind(...params), sql);
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
          return (...args: unknown[]) => {
            log.roundTrips++;
            log.statements.push(sql);
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    sqlOf.set(proxy, sql);
    return proxy;
  };
  const db = new Proxy(real, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), sql);
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) => {
          log.roundTrips++;
          for (const s of statements) log.statements.push(sqlOf.get(s) ?? "?");
          return target.batch(statements);
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, log };
}

type Counting = ReturnType<typeof countingD1>;

/**
 * A storyboard workflow of `generator` with the object's bindings recorded, run until its
 * character step has its two items; the object is then quiet (no alarm) for the measured call.
 */
async function twoCharacterItems(generator: "external" | "builtin", options: Record<string, unknown> = {}) {
  const rec = recordingEnv();
  const counting = countingD1(rec.env.DB);
  rec.env = { ...rec.env, DB: counting.db };
  const t = await newTenant(`loop-${generator}`);
  const project = await studioProject(t.token, { script: TWO_SCENE_SCRIPT });
  const id = await nextWorkflowId();
  await recordWorkflowRun(rec, id);
  const started = await fetchWith(rec, "POST", "/api/v1/workflows", {
    headers: bearer(t.token),
    body: JSON.stringify({ project_id: project.id, workflow_type: "storyboard", generator, options }),
  });
  expect(started.status).toBe(200);
  const stub = env.WORKFLOW_RUN.get(env.WORKFLOW_RUN.idFromName(`workflow:${id}`));
  const items = async () =>
    (
      await env.DB.prepare(
        "SELECT id, status FROM tasks WHERE workflow_id = ? AND step = 'character_generation' AND parent_task_id IS NOT NULL ORDER BY id",
      )
        .bind(id)
        .all<{ id: number; status: string }>()
    ).results;
  // Everything up to the items, with the queue delivered by hand (built-in items are not run).
  for (let round = 0; round < 20 && (await items()).length < 2; round++) {
    const bodies = rec.queued.splice(0);
    rec.queued.push(...bodies.filter((b) => (b as { kind: string }).kind !== "task" || round < 1));
    await deliverQueued(rec);
    await stub.poke(id);
  }
  expect(await items()).toHaveLength(2);
  await stub.poke(id);
  await runInDurableObject(stub, (_i, state) => state.storage.deleteAlarm());
  return { rec, counting, id, stub, items };
}

/** Runs one poke of the object and reports what it cost in D1. */
async function measured(counting: Counting, rec: RecordingEnv, poke: () => Promise<void>) {
  rec.queued.length = 0;
  counting.log.roundTrips = 0;
  counting.log.statements.length = 0;
  await poke();
  return {
    d1RoundTrips: counting.log.roundTrips,
    d1Statements: counting.log.statements.length,
    eventReads: counting.log.statements.filter((q) => /^select .* from "workflow_events"/i.test(q)).length,
    dispatched: [...rec.queued],
  };
}

/**
 * The progress loop — a task change is recorded by a trigger, the object reads it, moves the
 * workflow on and writes D1, which records more changes — in as few D1 round trips as the
 * transition allows: one read (the events, with the fan-out facts), one write that reads back
 * the events it caused, one closing write (the mirror and the events' removal).
 */
describe("the progress loop", () => {
  it("closes a finished fan-out step and dispatches the next one in one pass over the events", async () => {
    const { rec, counting, id, stub } = await twoCharacterItems("external");
    // Both items finish in one write (as two workers' completions would): the step can close.
    await env.DB.prepare(
      "UPDATE tasks SET status = 'completed', completed_at = ?2, updated_at = ?2 WHERE workflow_id = ?1 AND step = 'character_generation' AND parent_task_id IS NOT NULL",
    )
      .bind(id, Date.now())
      .run();
    const cost = await measured(counting, rec, () => stub.poke(id));
    console.log(JSON.stringify({ transition: "fan-out step closed → next step dispatched", ...cost }));
    const step = await env.DB.prepare(
      "SELECT status FROM tasks WHERE workflow_id = ? AND step = 'character_generation' AND parent_task_id IS NULL",
    )
      .bind(id)
      .first<{ status: string }>();
    expect(step?.status).toBe("completed");
    expect(cost.dispatched).toEqual([{ kind: "fanout", id: expect.any(Number) }]);
    // Read; the engine's read of the step; the close with its events; the mirror. (Was 8 and 2 passes.)
    expect(cost.d1RoundTrips).toBe(4);
    expect(cost.eventReads).toBe(2);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflow_events WHERE workflow_id = ?")
      .bind(id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("dispatches the next built-in item when one completes: one read and one write", async () => {
    // One item at a time: the first is dispatched (and kept from running), the second waits.
    const { rec, counting, id, stub, items } = await twoCharacterItems("builtin", { max_parallel: 1 });
    const [first, second] = await items();
    await env.DB.prepare(
      "UPDATE tasks SET status = 'completed', completed_at = ?2, updated_at = ?2 WHERE id = ?1",
    )
      .bind(first?.id, Date.now())
      .run();
    const cost = await measured(counting, rec, () => stub.poke(id));
    console.log(JSON.stringify({ transition: "built-in item completed → next item dispatched", ...cost }));
    expect(cost.dispatched).toEqual([{ kind: "task", id: second?.id }]);
    // Read (events), then the mirror with the events' removal; no read of the workflow's options.
    expect(cost.d1RoundTrips).toBe(2);
    expect(cost.eventReads).toBe(1);
  });
});
