import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../worker/index";
import { ORIGIN } from "./http";

/**
 * The real bindings with two differences, for tests that must see every query a code path makes:
 * D1 statements are recorded as they run (the real database answers them), and queue messages are
 * kept for the test to deliver itself, so nothing runs behind its back.
 */
export interface RecordedQuery {
  sql: string;
  params: unknown[];
}

export interface RecordingEnv {
  env: Env;
  queries: RecordedQuery[];
  /** Messages sent to the jobs queue and not yet delivered. */
  queued: unknown[];
}

function recordingD1(real: D1Database, log: RecordedQuery[]): D1Database {
  const meta = new WeakMap<object, { stmt: D1PreparedStatement; query: RecordedQuery }>();
  const wrap = (stmt: D1PreparedStatement, query: RecordedQuery): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        if (prop === "bind")
          return (...params: unknown[]) => wrap(target.bind(...params), { sql: query.sql, params });
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "first" || prop === "run" || prop === "all" || prop === "raw") {
          return (...args: unknown[]) => {
            log.push(query);
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    meta.set(proxy, { stmt, query });
    return proxy;
  };
  return new Proxy(real, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => wrap(target.prepare(sql), { sql, params: [] });
      if (prop === "batch") {
        return (statements: D1PreparedStatement[]) =>
          target.batch(
            statements.map((s) => {
              const m = meta.get(s);
              if (!m) return s;
              log.push(m.query);
              return m.stmt;
            }),
          );
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

export function recordingEnv(): RecordingEnv {
  const queries: RecordedQuery[] = [];
  const queued: unknown[] = [];
  const jobs = {
    async send(body: unknown) {
      queued.push(body);
    },
    async sendBatch(messages: Iterable<{ body: unknown }>) {
      for (const m of messages) queued.push(m.body);
    },
  } as unknown as Queue;
  return { env: { ...env, DB: recordingD1(env.DB, queries), JOBS: jobs }, queries, queued };
}

/** A request to the Worker with the recording bindings; waits for its deferred work too. */
export async function fetchWith(rec: RecordingEnv, method: string, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${ORIGIN}${path}`, { method, ...init }), rec.env, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** Delivers every kept queue message (and the ones they send) to the Worker's consumer. */
export async function deliverQueued(rec: RecordingEnv, maxRounds = 50) {
  for (let round = 0; round < maxRounds && rec.queued.length > 0; round++) {
    const bodies = rec.queued.splice(0);
    const batch = createMessageBatch(
      "short-drama-jobs",
      bodies.map((body, i) => ({ id: `rec-${round}-${i}`, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, rec.env, ctx);
    await getQueueResult(batch, ctx);
  }
}

/**
 * Makes the WorkflowRun object of a workflow id use the recording bindings. Ids are predictable
 * (AUTOINCREMENT), so the object can be prepared before the workflow exists: from its first call
 * on, its queries are recorded and its dispatches kept.
 */
export async function recordWorkflowRun(rec: RecordingEnv, workflowId: number) {
  const stub = env.WORKFLOW_RUN.get(env.WORKFLOW_RUN.idFromName(`workflow:${workflowId}`));
  await runInDurableObject(stub, (instance) => {
    (instance as unknown as { env: Env }).env = rec.env;
  });
}

export async function nextWorkflowId(): Promise<number> {
  const row = await env.DB.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'workflows'").first<{
    seq: number;
  }>();
  return (row?.seq ?? 0) + 1;
}
