import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { registerStep } from "../../worker/core/workflows/steps";
import { type FanoutStep, itemRef, parseItemRef } from "../../worker/core/workflows/steps/types";
import { listStoryboardsAfter } from "../../worker/db/queries/storyboards";
import { badRequest } from "../../worker/platform/errors";
import { newTenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { server } from "../helpers/msw";
import { studioProject } from "../helpers/studio";
import { scenes, startWorkflow, watch } from "../helpers/workflows";

/**
 * A step kind is its module and a template, nothing else: a step written here, registered here
 * with a template that uses it, runs end to end through the real machinery — the Worker, the queue
 * consumer, the task engine, the WorkflowRun object and its sockets — without any other file
 * knowing its name. It checks each scene of the project: built in, or by an external worker whose
 * result the step accepts or refuses.
 */
const ran: number[] = [];

const sceneCheck = {
  name: "scene_check",
  kind: "fanout",
  noun: "scene",
  plural: "scenes",
  progressMessage: (c) => `Checking scene ${Math.min(c.completed + c.processing, c.total)}/${c.total}`,
  items: {
    taskType: "scene_check",
    async plan(ctx, wf, after, limit) {
      const rows = await listStoryboardsAfter(ctx.db, wf.ownerId, wf.projectId, after, limit);
      return {
        items: rows.map((sb) => ({
          ref: itemRef("storyboard", sb.id),
          output: { scene_number: sb.sceneNumber },
        })),
        last: rows.at(-1)?.id ?? null,
        exhausted: rows.length < limit,
      };
    },
    async run(ex) {
      const id = parseItemRef(ex.task.itemRef, "storyboard");
      ran.push(id ?? -1);
      return { output: { storyboard_id: id, verdict: "ok" }, statements: [] };
    },
    async accept(_ctx, task, output) {
      if (output?.verdict !== "ok")
        throw badRequest(`Complete scene_check task ${task.id} with task_output.verdict "ok"`);
      return [];
    },
  },
} satisfies FanoutStep;

let unregister: () => void;
beforeAll(() => {
  server.listen({ onUnhandledRequest: "error" });
  unregister = registerStep(sceneCheck, {
    type: "storyboard",
    steps: ["script_parsing", "scene_check"],
    completesProject: false,
  });
});
afterEach(() => server.resetHandlers());
afterAll(() => {
  unregister();
  server.close();
});

async function itemTasks(workflowId: number) {
  const rows = await env.DB.prepare(
    "SELECT id, task_type, status, item_ref, task_output FROM tasks WHERE workflow_id = ? AND parent_task_id IS NOT NULL ORDER BY id",
  )
    .bind(workflowId)
    .all<{ id: number; task_type: string; status: string; item_ref: string; task_output: string }>();
  return rows.results.map((r) => ({ ...r, task_output: JSON.parse(r.task_output) }));
}

describe("a step kind registered by a test", () => {
  it("runs end to end with the built-in generator: created, fanned out, items run, step closed, frames sent", async () => {
    const t = await newTenant("test-step");
    const project = await studioProject(t.token, { script: scenes(3) });
    const wf = await startWorkflow(t.token, { project_id: project.id, workflow_type: "storyboard" });
    const ws = await watch(t.token, wf.id);
    await ws.waitFor((f) => f.type === "workflow_completed");
    ws.close();

    const kinds = ws.frames.map((f) => (f.step ? `${f.type}:${f.step}` : f.type));
    const at = (k: string) => kinds.indexOf(k);
    expect(at("step_started:scene_check")).toBeGreaterThan(-1);
    expect(at("step_started:scene_check")).toBeLessThan(at("step_completed:scene_check"));
    expect(at("step_completed:scene_check")).toBeLessThan(at("workflow_completed"));
    const messages = ws.frames.filter((f) => f.type === "progress_update").map((f) => f.message);
    expect(messages.filter((m) => /^Checking scene \d\/3$/.test(m)).length).toBeGreaterThan(0);
    expect(messages.filter((m) => /scenes done$/.test(m))).toEqual([
      "1/3 scenes done",
      "2/3 scenes done",
      "3/3 scenes done",
    ]);

    const items = await itemTasks(wf.id);
    expect(items.map((i) => [i.task_type, i.status])).toEqual([
      ["scene_check", "completed"],
      ["scene_check", "completed"],
      ["scene_check", "completed"],
    ]);
    const boards = await call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: t.token });
    const ids = boards.body.items.map((b: { id: number }) => b.id);
    expect([...ran].sort((a, b) => a - b)).toEqual(ids);
    expect(items.map((i) => i.task_output.verdict)).toEqual(["ok", "ok", "ok"]);
    const detail = await call("GET", `/api/v1/workflows/${wf.id}`, { token: t.token });
    expect(detail.body).toMatchObject({ status: "completed", progress: 1, current_step: "scene_check" });
    expect(detail.body.steps[1]).toMatchObject({
      name: "scene_check",
      status: "completed",
      items: { total: 3 },
    });
  });

  it("hands its items to external workers and accepts or refuses their results through the step", async () => {
    const t = await newTenant("test-step-ext");
    const project = await studioProject(t.token, { script: scenes(2) });
    const wf = await startWorkflow(t.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      generator: "external",
    });
    const ws = await watch(t.token, wf.id);
    await ws.waitFor((f) => f.type === "step_started" && f.step === "scene_check");
    for (let n = 0; n < 2; n++) {
      const claimed = await call("POST", "/api/tasks/claim", {
        token: t.worker,
        json: { task_types: ["scene_check"], worker_id: "checker" },
      });
      expect(claimed.body.code).toBe(0);
      const task = claimed.body.data;
      expect(task.task_output).toMatchObject({ scene_number: n + 1, workflow_id: wf.id });
      const refused = await call("PATCH", `/api/tasks/${task.id}`, {
        token: t.worker,
        json: { status: "completed", task_output: { verdict: "meh" }, lease_token: task.lease_token },
      });
      expect(refused.body).toMatchObject({ code: 400, msg: expect.stringMatching(/verdict "ok"/) });
      const still = await env.DB.prepare("SELECT status FROM tasks WHERE id = ?").bind(task.id).first();
      expect(still).toEqual({ status: "processing" });
      const done = await call("PATCH", `/api/tasks/${task.id}`, {
        token: t.worker,
        json: { status: "completed", task_output: { verdict: "ok" }, lease_token: task.lease_token },
      });
      expect(done.body.code).toBe(0);
    }
    await ws.waitFor((f) => f.type === "workflow_completed");
    ws.close();
    expect(ws.frames.filter((f) => f.type === "step_completed").map((f) => f.step)).toContain("scene_check");
    expect((await itemTasks(wf.id)).map((i) => i.status)).toEqual(["completed", "completed"]);
  });
});
