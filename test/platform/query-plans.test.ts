import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { newTenant, type Tenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { fixture } from "../helpers/images";
import { server } from "../helpers/msw";
import {
  deliverQueued,
  fetchWith,
  nextWorkflowId,
  type RecordingEnv,
  recordingEnv,
  recordWorkflowRun,
} from "../helpers/recording-env";
import { type FrameLog, framesHandler } from "../helpers/renderer";
import { studioProject } from "../helpers/studio";
import { TWO_SCENE_SCRIPT } from "../helpers/workflows";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/**
 * A query on the workflow path that scanned every tenant's characters once stalled
 * the shared database. Here a storyboard workflow runs from POST /workflows to completed — script
 * step, chunked fan-out, worker claims and completions for the external generator, the built-in
 * executors for the other — with every D1 statement of the Worker, its queue consumer and the
 * workflow's Durable Object recorded; each is then put through EXPLAIN QUERY PLAN, and any full
 * scan of a table fails the test.
 */
const bearer = (token: string) => ({ Authorization: `Bearer ${token}`, "Content-Type": "application/json" });

async function runWorkflow(rec: RecordingEnv, t: Tenant, generator: "external" | "builtin") {
  const project = await studioProject(t.token, { script: TWO_SCENE_SCRIPT });
  const id = await nextWorkflowId();
  await recordWorkflowRun(rec, id);
  const started = await fetchWith(rec, "POST", "/api/v1/workflows", {
    headers: bearer(t.token),
    body: JSON.stringify({ project_id: project.id, workflow_type: "storyboard", generator }),
  });
  expect(started.status, JSON.stringify(started.body)).toBe(200);
  expect(started.body.id).toBe(id);
  for (let round = 0; round < 40; round++) {
    await deliverQueued(rec);
    if (generator === "external") {
      const claimed = await fetchWith(rec, "POST", "/api/tasks/claim", {
        headers: bearer(t.worker),
        body: JSON.stringify({ task_types: ["character_image", "storyboard_image"] }),
      });
      if (claimed.body.code === 0) {
        const task = claimed.body.data;
        const asset = await fetchWith(rec, "POST", "/api/assets", {
          headers: bearer(t.worker),
          body: JSON.stringify({ name: "generated", asset_type: "image" }),
        });
        const bytes = fixture("rgb.png");
        const put = await fetchWith(rec, "PUT", `/api/assets/${asset.body.data.id}/content`, {
          headers: { Authorization: `Bearer ${t.worker}`, "Content-Length": String(bytes.length) },
          body: bytes as Uint8Array<ArrayBuffer>,
        });
        expect(put.status).toBe(200);
        const done = await fetchWith(rec, "PATCH", `/api/tasks/${task.id}`, {
          headers: bearer(t.worker),
          body: JSON.stringify({
            status: "completed",
            lease_token: task.lease_token,
            task_output: { asset_id: asset.body.data.id },
          }),
        });
        expect(done.body.code, JSON.stringify(done.body)).toBe(0);
        continue;
      }
    }
    const wf = await fetchWith(rec, "GET", `/api/v1/workflows/${id}`, { headers: bearer(t.token) });
    if (wf.body.status === "completed") return wf.body;
    if (wf.body.status === "failed") throw new Error(`workflow failed: ${wf.body.error}`);
    // The object's watchdog dispatches what a lost poke would have; here it runs at once.
    await recordWorkflowRun(rec, id);
    await env.WORKFLOW_RUN.get(env.WORKFLOW_RUN.idFromName(`workflow:${id}`)).poke(id);
  }
  throw new Error("the workflow did not complete");
}

interface PlanRow {
  id: number;
  parent: number;
  detail: string;
}

/** Plan lines that read a whole table (or a whole index of one) instead of searching it. */
function fullScans(plan: PlanRow[]): string[] {
  return plan
    .map((row) => row.detail)
    .filter((d) => /^SCAN /.test(d) && !/VIRTUAL TABLE|CONSTANT ROW|^SCAN \(subquery/.test(d));
}

describe("query plans of the workflow path", () => {
  it("search an index in every statement: no full scan of any tenant table", async () => {
    const log: FrameLog = { requests: [], failures: 0 };
    server.use(framesHandler(log));
    const rec = recordingEnv();
    const t = await newTenant("plans");
    // Other tenants' rows, so that a scan would cost something (the planner decides without them).
    const other = await newTenant("plans-other");
    await studioProject(other.token, { script: TWO_SCENE_SCRIPT });
    await call("POST", "/projects", {
      token: other.operator,
      json: { name: "x", project_type: "y", tasks: [{ task_type: "character_image" }] },
    });

    const external = await runWorkflow(rec, t, "external");
    expect(external.steps.map((s: { items: { completed: number } }) => s.items.completed)).toEqual([1, 2, 2]);
    const builtin = await runWorkflow(rec, t, "builtin");
    expect(builtin.status).toBe("completed");
    expect(log.requests.length).toBeGreaterThanOrEqual(4);

    const distinct = new Map<string, unknown[]>();
    for (const q of rec.queries) if (!distinct.has(q.sql)) distinct.set(q.sql, q.params);
    expect(distinct.size).toBeGreaterThan(40);
    // The recording covers every part: the request, the consumer (script step, fan-out chunks,
    // built-in executors) and the Durable Object (reading task changes).
    const all = [...distinct.keys()].join("\n");
    for (const part of [
      'insert into "workflows"',
      "'$.fanout'",
      "INSERT INTO characters",
      'from "workflow_events"',
    ])
      expect(all).toContain(part);
    const offenders: string[] = [];
    for (const [sql, params] of distinct) {
      const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .bind(...params)
        .all<PlanRow>();
      for (const scan of fullScans(plan.results)) offenders.push(`${scan}\n    in: ${sql.slice(0, 400)}`);
    }
    expect(offenders, offenders.join("\n\n")).toEqual([]);
  }, 90_000);
});
