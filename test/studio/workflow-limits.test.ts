import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WorkflowRun } from "../../durable-objects/workflow-run/workflow-run";
import { LIMITS } from "../../worker/core/studio/script-parser";
import { FANOUT_CHUNK_ITEMS } from "../../worker/core/workflows/fanout";
import worker from "../../worker/index";
import { call, expectStudioError, newUser } from "../helpers/http";
import { rowCount, studioProject } from "../helpers/studio";
import { startWorkflow, until, waitUntil, watch } from "../helpers/workflows";

/**
 * One script must not stall every tenant. A script is capped at 100 speakers
 * (and 200 scenes), and a fan-out step creates its items in chunks of FANOUT_CHUNK_ITEMS, each its
 * own queue message, so no invocation holds the database or the Durable Object for long.
 */
const speakers = (n: number) => Array.from({ length: n }, (_, i) => `角色${i}：好。`).join("\n");

/** Item tasks a step has created so far: how many, how many distinct items, in how many batches. */
async function itemsOf(workflowId: number, step: string) {
  const row = await env.DB.prepare(
    `SELECT COUNT(*) AS n, COUNT(DISTINCT item_ref) AS distinct_items,
       COUNT(DISTINCT substr(create_ref, 1, instr(create_ref, ':') - 1)) AS batches,
       (SELECT MAX(c) FROM (SELECT COUNT(*) AS c FROM tasks WHERE workflow_id = ?1 AND step = ?2
          AND parent_task_id IS NOT NULL GROUP BY substr(create_ref, 1, instr(create_ref, ':') - 1))) AS largest
     FROM tasks WHERE workflow_id = ?1 AND step = ?2 AND parent_task_id IS NOT NULL`,
  )
    .bind(workflowId, step)
    .first<{ n: number; distinct_items: number; batches: number; largest: number | null }>();
  return row ?? { n: 0, distinct_items: 0, batches: 0, largest: null };
}

/** An external storyboard workflow whose character step has `total` items (one from the script). */
async function bigStep(owner: { id: number; token: string }, total: number) {
  const project = await studioProject(owner.token, { script: "场景1：街道\n角色0：好。" });
  // The project already holds many characters without images: every one is an item of the step.
  await env.DB.prepare(
    `INSERT INTO characters (owner_id, project_id, name, source, created_at, updated_at)
     SELECT ?1, ?2, '配角' || value, 'generated', ?3, ?3 FROM json_each(?4)`,
  )
    .bind(
      owner.id,
      project.id,
      Date.now(),
      JSON.stringify(Array.from({ length: total - 1 }, (_, i) => i + 1)),
    )
    .run();
  const wf = await startWorkflow(owner.token, {
    project_id: project.id,
    workflow_type: "storyboard",
    generator: "external",
  });
  const step = await env.DB.prepare(
    "SELECT id FROM tasks WHERE workflow_id = ? AND step = 'character_generation' AND parent_task_id IS NULL",
  )
    .bind(wf.id)
    .first<{ id: number }>();
  return { project, wf, stepTaskId: step?.id ?? 0 };
}

describe("script limits", () => {
  it("refuses a 5,000-speaker script at POST /workflows with 422 naming the limit, and creates nothing", async () => {
    const user = await newUser();
    const project = await studioProject(user.token, { script: speakers(5_000) });
    const res = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: { project_id: project.id, workflow_type: "storyboard", generator: "external" },
    });
    const body = expectStudioError(res, 422, "VALIDATION_ERROR");
    expect(body.errors).toEqual([
      {
        field: "project.script",
        message:
          "The script has 5000 speaking characters; a script may have at most 100 (and at most 200 scenes)",
      },
    ]);
    expect(await rowCount("workflows", "owner_id = ?", user.id)).toBe(0);
    expect(await rowCount("characters", "owner_id = ?", user.id)).toBe(0);
    expect(await rowCount("tasks", "owner_id = ?", user.id)).toBe(0);
    // A render workflow parses nothing, so the cap is not its business (it fails for having no storyboards).
    const render = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: { project_id: project.id, workflow_type: "render" },
    });
    expectStudioError(render, 400, "BAD_REQUEST");
  });

  it("fails the script step of an accepted workflow whose script grew past the cap, with the same reason", async () => {
    const user = await newUser();
    const project = await studioProject(user.token, { script: speakers(3) });
    const wf = await startWorkflow(user.token, { project_id: project.id, workflow_type: "storyboard" });
    // Paused before its first step runs, the script is edited past the cap, then it resumes.
    expect((await call("POST", `/api/v1/workflows/${wf.id}/pause`, { token: user.token })).status).toBe(200);
    const edit = await call("PUT", `/api/v1/projects/${project.id}`, {
      token: user.token,
      json: { script: speakers(LIMITS.maxSpeakers + 1) },
    });
    expect(edit.status).toBe(200);
    expect((await call("POST", `/api/v1/workflows/${wf.id}/resume`, { token: user.token })).status).toBe(200);
    const failed = await until(user.token, wf.id, (w) => w.status === "failed");
    expect(failed.error).toBe(
      "script_parsing: The script has 101 speaking characters; a script may have at most 100 (and at most 200 scenes)",
    );
    expect(await rowCount("characters", "owner_id = ?", user.id)).toBe(0);
  });
});

describe("fan-out in chunks", () => {
  it("creates a big step's items chunk by chunk; another tenant is answered while it runs", async () => {
    const owner = await newUser();
    const other = await newUser();
    const total = 4 * FANOUT_CHUNK_ITEMS;
    const { wf } = await bigStep(owner, total);
    const ws = await watch(owner.token, wf.id);
    await ws.waitFor((f) => f.type === "step_started" && f.step === "character_generation");

    // Another tenant, while the step is creating its items: answered before the step is done.
    const [projects, docs] = await Promise.all([
      call("GET", "/api/v1/projects", { token: other.token }),
      call("GET", "/api/openapi.json"),
    ]);
    expect(projects.status).toBe(200);
    expect(docs.status).toBe(200);
    const whenAnswered = await itemsOf(wf.id, "character_generation");
    expect(whenAnswered.n).toBeLessThan(total);

    // Then every item exists exactly once, made in chunks of at most FANOUT_CHUNK_ITEMS.
    await waitUntil(
      async () => (await itemsOf(wf.id, "character_generation")).n === total,
      30_000,
      "fan-out",
    );
    const done = await itemsOf(wf.id, "character_generation");
    expect(done).toEqual({ n: total, distinct_items: total, batches: 4, largest: FANOUT_CHUNK_ITEMS });
    const detail = await call("GET", `/api/v1/workflows/${wf.id}`, { token: owner.token });
    expect(detail.body.steps[1].items).toMatchObject({ total, pending: total });
    // Frames summarise the items (counts), however many there are.
    for (const f of ws.frames) expect(JSON.stringify(f).length).toBeLessThan(4096);
    ws.close();
    await call("POST", `/api/v1/workflows/${wf.id}/cancel`, { token: owner.token });
  }, 60_000);

  it("creates every item exactly once when chunks are delivered many times over, and across a pause", async () => {
    const owner = await newUser();
    const total = 3 * FANOUT_CHUNK_ITEMS + 7;
    const { wf, stepTaskId } = await bigStep(owner, total);
    await waitUntil(async () => (await itemsOf(wf.id, "character_generation")).n > 0, 20_000, "first chunk");
    // Beside the real chain, five extra deliveries of the step's message at once, three times.
    for (let round = 0; round < 3; round++) {
      const batch = createMessageBatch(
        "short-drama-jobs",
        Array.from({ length: 5 }, (_, i) => ({
          id: `dup-${round}-${i}`,
          timestamp: new Date(),
          attempts: 1,
          body: { kind: "fanout", id: stepTaskId },
        })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toHaveLength(5);
    }
    // A pause stops the chain; the resume starts it again where it stopped.
    expect((await call("POST", `/api/v1/workflows/${wf.id}/pause`, { token: owner.token })).status).toBe(200);
    expect((await call("POST", `/api/v1/workflows/${wf.id}/resume`, { token: owner.token })).status).toBe(
      200,
    );
    await waitUntil(
      async () => (await itemsOf(wf.id, "character_generation")).n === total,
      30_000,
      "fan-out",
    );
    const done = await itemsOf(wf.id, "character_generation");
    expect(done.distinct_items).toBe(total);
    expect(done.largest).toBeLessThanOrEqual(FANOUT_CHUNK_ITEMS);
    const step = await env.DB.prepare(
      "SELECT json_extract(task_output, '$.fanout') AS f FROM tasks WHERE id = ?",
    )
      .bind(stepTaskId)
      .first<{ f: string }>();
    expect(JSON.parse(step?.f ?? "{}")).toMatchObject({ items: total, done: true });
    await call("POST", `/api/v1/workflows/${wf.id}/cancel`, { token: owner.token });
  }, 60_000);

  it("the WorkflowRun object applies at most 2000 task changes a call; the rest follow in an alarm at once", async () => {
    const owner = await newUser();
    const { wf, stepTaskId } = await bigStep(owner, 2);
    await waitUntil(async () => (await itemsOf(wf.id, "character_generation")).n === 2, 20_000, "fan-out");
    const stub = env.WORKFLOW_RUN.get(env.WORKFLOW_RUN.idFromName(`workflow:${wf.id}`));
    await stub.poke(wf.id);
    // Quiet object (no watchdog), then a backlog of 2500 task changes written at once.
    await runInDurableObject(stub, (_: WorkflowRun, state) => state.storage.deleteAlarm());
    const pipeline = await env.DB.prepare("SELECT pipeline_project_id AS p FROM workflows WHERE id = ?")
      .bind(wf.id)
      .first<{ p: number }>();
    await env.DB.prepare(
      `INSERT INTO tasks (owner_id, project_id, task_type, status, priority, dependencies, attempts, workflow_id, step,
         parent_task_id, item_ref, created_at, updated_at)
       SELECT ?1, ?2, 'character_image', 'pending', 0, '[]', 0, ?3, 'character_generation', ?4,
         'character:' || (1000000 + value), ?5, ?5 FROM json_each(?6)`,
    )
      .bind(
        owner.id,
        pipeline?.p,
        wf.id,
        stepTaskId,
        Date.now(),
        JSON.stringify(Array.from({ length: 2500 }, (_, i) => i)),
      )
      .run();
    // The object deletes the changes it has applied: what is left is its backlog.
    const backlog = () => rowCount("workflow_events", "workflow_id = ?", wf.id);
    expect(await backlog()).toBe(2500);

    await runInDurableObject(stub, async (instance: WorkflowRun, state) => {
      await instance.poke(wf.id);
      // One call applied 2000 (and removed what it applied); 500 wait, with an alarm due now.
      expect(await backlog()).toBe(500);
      expect(await state.storage.getAlarm()).toBeLessThanOrEqual(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await backlog()).toBe(0);
    const detail = await call("GET", `/api/v1/workflows/${wf.id}`, { token: owner.token });
    expect(detail.body.steps[1].items).toMatchObject({ total: 2502, pending: 2502 });
    await call("POST", `/api/v1/workflows/${wf.id}/cancel`, { token: owner.token });
  });

  it("runs the largest allowed script: 200 scenes and 100 speakers, within D1's limits", async () => {
    const user = await newUser();
    // 200 scenes of 10 long lines by different speakers: just under the 200 000-character limit.
    const script = Array.from({ length: LIMITS.maxScenes }, (_, i) =>
      [
        `场景${i + 1}：地点${i + 1}`,
        ...Array.from(
          { length: 10 },
          (_, j) => `角色${(i * 10 + j) % LIMITS.maxSpeakers}：${"好".repeat(92)}。`,
        ),
      ].join("\n"),
    ).join("\n");
    expect(script.length).toBeLessThanOrEqual(200_000);
    expect(script.length).toBeGreaterThan(195_000);
    const project = await studioProject(user.token, { script });
    const wf = await startWorkflow(user.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      generator: "external",
    });
    await waitUntil(
      async () => (await itemsOf(wf.id, "character_generation")).n === LIMITS.maxSpeakers,
      30_000,
      "character items",
    );
    expect(await rowCount("storyboards", "project_id = ?", project.id)).toBe(LIMITS.maxScenes);
    expect(await rowCount("characters", "project_id = ?", project.id)).toBe(LIMITS.maxSpeakers);
    const items = await itemsOf(wf.id, "character_generation");
    expect(items.batches).toBe(Math.ceil(LIMITS.maxSpeakers / FANOUT_CHUNK_ITEMS));
    const detail = await call("GET", `/api/v1/workflows/${wf.id}`, { token: user.token });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ status: "running", current_step: "character_generation" });
    await call("POST", `/api/v1/workflows/${wf.id}/cancel`, { token: user.token });
  }, 60_000);
});
