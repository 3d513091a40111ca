import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, expectStudioError, newUser } from "../helpers/http";
import { server } from "../helpers/msw";
import { type FrameLog, framesHandler, type JobsLog, jobsHandlers } from "../helpers/renderer";
import { storedKeys, studioProject } from "../helpers/studio";
import {
  gate,
  scenes,
  startWorkflow,
  storyboardsInFlight,
  TWO_SCENE_SCRIPT,
  until,
  waitUntil,
  watch,
} from "../helpers/workflows";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("a storyboard workflow with the built-in generator", () => {
  it("parses the script, draws characters and storyboards, and streams every step in order", async () => {
    const log: FrameLog = { requests: [], failures: 0 };
    server.use(framesHandler(log));
    const user = await newUser();
    // Someone else's unfinished work, which the workflow must never touch.
    const bystander = await newUser();
    const theirs = await studioProject(bystander.token, { script: TWO_SCENE_SCRIPT });
    const theirBoard = await call("POST", "/api/v1/storyboards", {
      token: bystander.token,
      json: { project_id: theirs.id, description: "theirs" },
    });
    const project = await studioProject(user.token, { script: TWO_SCENE_SCRIPT });
    const started = await startWorkflow(user.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      options: { style: "anime" },
    });
    expect(started).toMatchObject({
      status: "running",
      current_step: "script_parsing",
      workflow_type: "storyboard",
    });
    const ws = await watch(user.token, started.id);
    await ws.waitFor((f) => f.type === "workflow_completed");
    ws.close();

    expect(ws.frames[0]?.type).toBe("snapshot");
    const seqs = ws.frames.map((f) => f.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1] + 1);
    const kinds = ws.frames.map((f) => (f.step ? `${f.type}:${f.step}` : f.type));
    const order = ["script_parsing", "character_generation", "storyboard_generation"].flatMap((s) => [
      `step_started:${s}`,
      `step_completed:${s}`,
    ]);
    const positions = order.map((k) => kinds.indexOf(k));
    // A step already running when the socket connected is in the snapshot instead of a frame.
    const seen = positions.filter((p) => p >= 0);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(kinds.at(-1)).toBe("workflow_completed");
    expect(ws.frames.at(-1)).toMatchObject({ progress: 1, status: "completed", workflow_id: started.id });
    for (const f of ws.frames) expect(f.timestamp).toMatch(/Z$/);
    // Progress never goes backwards, and each frame tells the state right after its event.
    const progress = ws.frames.map((f) => f.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(ws.frames.filter((f) => f.status === "completed").map((f) => f.type)).toEqual([
      "workflow_completed",
    ]);

    const detail = await call("GET", `/api/v1/workflows/${started.id}`, { token: user.token });
    expect(detail.body).toMatchObject({
      status: "completed",
      progress: 1,
      current_step: "storyboard_generation",
    });
    expect(detail.body.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ["script_parsing", "completed"],
      ["character_generation", "completed"],
      ["storyboard_generation", "completed"],
    ]);
    expect(detail.body.steps[1].items).toMatchObject({ total: 2, completed: 2 });
    expect(detail.body.steps[2].items).toMatchObject({ total: 2, completed: 2 });
    for (const s of detail.body.steps) {
      expect(s.started_at).toMatch(/Z$/);
      expect(s.completed_at).toMatch(/Z$/);
    }

    const boards = await call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: user.token });
    expect(boards.body.total).toBe(2);
    for (const b of boards.body.items) {
      expect(b).toMatchObject({
        status: "completed",
        style: "anime",
        image_source: "generated",
        image_url: expect.stringContaining("/files/"),
      });
      expect(b.character_ids).toHaveLength(2);
      expect(b.consistency_score).toBeGreaterThan(0);
    }
    expect(boards.body.items[0].caption).toBe("小明：今天天气真好。\n小红：我们去湖边走走吧。");
    const chars = await call("GET", `/api/v1/characters?project_id=${project.id}`, { token: user.token });
    expect(chars.body.items.map((c: { name: string; source: string }) => [c.name, c.source])).toEqual([
      ["小明", "generated"],
      ["小红", "generated"],
    ]);
    expect(await storedKeys(user.id)).toHaveLength(4);
    // A storyboard workflow leaves the project in progress; full_production or an export completes it.
    const proj = await call("GET", `/api/v1/projects/${project.id}`, { token: user.token });
    expect(proj.body.status).toBe("in_progress");
    const listed = await call("GET", `/api/v1/workflows?project_id=${project.id}`, { token: user.token });
    expect(listed.body.items[0]).toMatchObject({ id: started.id, status: "completed", progress: 1 });
    // Nothing is left in the event log: the object read it all.
    const untouched = await call("GET", `/api/v1/storyboards/${theirBoard.body.id}`, {
      token: bystander.token,
    });
    expect(untouched.body).toMatchObject({
      status: "pending",
      image_url: null,
      updated_at: theirBoard.body.updated_at,
    });
    expect(await storedKeys(bystander.id)).toEqual([]);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflow_events WHERE workflow_id = ?")
      .bind(started.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});

async function taskStatuses(workflowId: number) {
  const rows = await env.DB.prepare(
    "SELECT id, status, step, parent_task_id FROM tasks WHERE workflow_id = ? ORDER BY id",
  )
    .bind(workflowId)
    .all<{ id: number; status: string; step: string; parent_task_id: number | null }>();
  return rows.results;
}

describe("starting workflows", () => {
  it("refuses projects that cannot run, foreign projects, bad input and a second live workflow", async () => {
    const user = await newUser();
    const other = await newUser();
    const empty = await studioProject(user.token, { description: null, script: null });
    const noScript = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: { project_id: empty.id, workflow_type: "full_production" },
    });
    expect(expectStudioError(noScript, 400, "BAD_REQUEST").detail).toMatch(/no script/);
    const render = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: { project_id: empty.id, workflow_type: "render" },
    });
    expect(expectStudioError(render, 400, "BAD_REQUEST").detail).toMatch(/no storyboards/);
    const theirs = await studioProject(other.token, { script: TWO_SCENE_SCRIPT });
    expectStudioError(
      await call("POST", "/api/v1/workflows", {
        token: user.token,
        json: { project_id: theirs.id, workflow_type: "storyboard" },
      }),
      404,
      "NOT_FOUND",
    );
    const bad = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: { project_id: theirs.id, workflow_type: "everything" },
    });
    expect(expectStudioError(bad, 422, "VALIDATION_ERROR").errors?.map((e) => e.field)).toContain(
      "body.workflow_type",
    );
    const badOption = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: { project_id: empty.id, workflow_type: "storyboard", options: { style: "oil" } },
    });
    expectStudioError(badOption, 422, "VALIDATION_ERROR");
    expect(await taskStatuses(0)).toEqual([]);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflows WHERE owner_id = ?")
      .bind(user.id)
      .first<{ n: number }>();
    expect(rows?.n).toBe(0);
  });

  it("honours Idempotency-Key and allows one live workflow per project", async () => {
    const g = gate();
    server.use(framesHandler({ requests: [], failures: 0 }, { hold: g.hold }));
    const user = await newUser();
    const project = await studioProject(user.token, { script: scenes(2) });
    const body = { project_id: project.id, workflow_type: "storyboard" };
    const first = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: body,
      headers: { "Idempotency-Key": "start-1" },
    });
    const again = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: body,
      headers: { "Idempotency-Key": "start-1" },
    });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const changed = await call("POST", "/api/v1/workflows", {
      token: user.token,
      json: { ...body, workflow_type: "full_production" },
      headers: { "Idempotency-Key": "start-1" },
    });
    expect(expectStudioError(changed, 409, "CONFLICT").detail).toMatch(/different request/);
    const second = await call("POST", "/api/v1/workflows", { token: user.token, json: body });
    expect(expectStudioError(second, 409, "CONFLICT").detail).toMatch(/already running/);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflows WHERE project_id = ?")
      .bind(project.id)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
    g.release();
    await until(user.token, first.body.id, (w) => w.status === "completed");
    const pause = await call("POST", `/api/v1/workflows/${first.body.id}/pause`, { token: user.token });
    expect(expectStudioError(pause, 409, "CONFLICT").detail).toMatch(/completed/);
    expectStudioError(
      await call("POST", `/api/v1/workflows/${first.body.id}/resume`, { token: user.token }),
      409,
      "CONFLICT",
    );
    expectStudioError(
      await call("POST", `/api/v1/workflows/${first.body.id}/cancel`, { token: user.token }),
      409,
      "CONFLICT",
    );
    expectStudioError(
      await call("POST", `/api/v1/workflows/${first.body.id}/retry`, { token: user.token }),
      409,
      "CONFLICT",
    );
    // Finished, the project can run again.
    expect((await call("POST", "/api/v1/workflows", { token: user.token, json: body })).status).toBe(200);
  });
});

describe("pause, resume, cancel", () => {
  it("pauses during storyboard generation: running items finish, nothing new starts or is claimed; resume finishes", async () => {
    const { g, log, user, wf, ws } = await storyboardsInFlight(5, 2);

    const paused = await call("POST", `/api/v1/workflows/${wf.id}/pause`, { token: user.token });
    expect(paused.body).toEqual({ id: wf.id, status: "paused", message: "Workflow paused successfully" });
    expect((await call("POST", `/api/v1/workflows/${wf.id}/pause`, { token: user.token })).status).toBe(200);
    await ws.waitFor((f) => f.type === "workflow_paused");
    g.release();
    // The two in flight complete; the other three stay pending.
    await waitUntil(
      async () =>
        (await taskStatuses(wf.id)).filter((t) => t.parent_task_id && t.status === "completed").length === 2,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(log.requests).toHaveLength(2);
    const items = (await taskStatuses(wf.id)).filter((t) => t.parent_task_id);
    expect(items.map((t) => t.status).sort()).toEqual([
      "completed",
      "completed",
      "pending",
      "pending",
      "pending",
    ]);
    // A stray or duplicate dispatch changes nothing while paused.
    const pending = items.find((t) => t.status === "pending");
    await env.JOBS.send({ kind: "task", id: pending?.id });
    await new Promise((r) => setTimeout(r, 1200));
    expect(log.requests).toHaveLength(2);
    expect((await call("GET", `/api/v1/workflows/${wf.id}`, { token: user.token })).body).toMatchObject({
      status: "paused",
      current_step: "storyboard_generation",
    });

    const resumed = await call("POST", `/api/v1/workflows/${wf.id}/resume`, { token: user.token });
    expect(resumed.body).toEqual({ id: wf.id, status: "running", message: "Workflow resumed successfully" });
    await ws.waitFor((f) => f.type === "workflow_completed");
    ws.close();
    expect(log.requests).toHaveLength(5);
    const types = ws.frames.map((f) => f.type);
    expect(types.indexOf("workflow_paused")).toBeLessThan(types.indexOf("workflow_resumed"));
    const seqs = ws.frames.map((f) => f.seq);
    expect(seqs.slice(1)).toEqual(seqs.slice(1).map((_, i) => (seqs[1] as number) + i));
  });

  it("cancels: unfinished items are cancelled, nothing runs after, and the last frame is workflow_cancelled", async () => {
    const g = gate();
    const log: FrameLog = { requests: [], failures: 0 };
    server.use(framesHandler(log, { hold: g.hold }));
    const user = await newUser();
    const project = await studioProject(user.token, { script: scenes(4) });
    const wf = await startWorkflow(user.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      options: { max_parallel: 1 },
    });
    const ws = await watch(user.token, wf.id);
    await waitUntil(() => g.held === 1, 20_000, "a drawing in flight");
    const res = await call("POST", `/api/v1/workflows/${wf.id}/cancel`, { token: user.token });
    expect(res.body).toEqual({ id: wf.id, status: "cancelled", message: "Workflow cancelled successfully" });
    await ws.waitFor((f) => f.type === "workflow_cancelled");
    g.release();
    await new Promise((r) => setTimeout(r, 1500));
    ws.close();
    expect(ws.frames.at(-1)?.type).toBe("workflow_cancelled");
    expect(log.requests).toHaveLength(1);
    const statuses = await taskStatuses(wf.id);
    expect(
      new Set(
        statuses
          .filter((t) => t.step !== "script_parsing" && t.step !== "character_generation")
          .map((t) => t.status),
      ),
    ).toEqual(new Set(["cancelled"]));
    // The drawing that was in flight was not recorded: its task had been cancelled.
    const boards = await call("GET", `/api/v1/storyboards?project_id=${project.id}`, { token: user.token });
    expect(boards.body.items.every((b: { image_url: string | null }) => b.image_url === null)).toBe(true);
    expect(await storedKeys(user.id)).toEqual([]);
    expect((await call("GET", `/api/v1/workflows/${wf.id}`, { token: user.token })).body.status).toBe(
      "cancelled",
    );
    expect((await call("POST", `/api/v1/workflows/${wf.id}/cancel`, { token: user.token })).status).toBe(200);
    expectStudioError(
      await call("POST", `/api/v1/workflows/${wf.id}/resume`, { token: user.token }),
      409,
      "CONFLICT",
    );
  });
});

describe("failures and retry", () => {
  it("retries a failing executor with backoff, fails the step with a readable error, and retry resumes without redoing finished items", async () => {
    let broken = true;
    const log: FrameLog = { requests: [], failures: 0 };
    server.use(framesHandler(log, { failWhen: (req) => broken && req.text.includes("第3个镜头") }));
    const user = await newUser();
    const project = await studioProject(user.token, { script: scenes(3) });
    const wf = await startWorkflow(user.token, { project_id: project.id, workflow_type: "storyboard" });
    const ws = await watch(user.token, wf.id);
    const failed = await ws.waitFor((f) => f.type === "workflow_failed", 30_000);
    expect(failed.error).toMatch(
      /^storyboard_generation: 1 of 3 storyboards failed: .*renderer failed.*gave up after 3 attempts/,
    );
    expect(log.failures).toBe(3);
    const detail = (await call("GET", `/api/v1/workflows/${wf.id}`, { token: user.token })).body;
    expect(detail.status).toBe("failed");
    expect(detail.steps[2]).toMatchObject({
      name: "storyboard_generation",
      status: "failed",
      items: { total: 3, completed: 2, failed: 1 },
    });
    expect(detail.steps[2].error).toMatch(/1 of 3 storyboards failed/);
    const drawn = log.requests.length;
    expect(drawn).toBe(2);

    broken = false;
    const retried = await call("POST", `/api/v1/workflows/${wf.id}/retry`, { token: user.token });
    expect(retried.body).toMatchObject({ id: wf.id, status: "running" });
    await ws.waitFor((f) => f.type === "workflow_completed", 30_000);
    ws.close();
    expect(log.requests.length).toBe(drawn + 1);
    expect(ws.frames.find((f) => f.type === "workflow_resumed")?.message).toBe(
      "Retrying from storyboard_generation",
    );
    const after = (await call("GET", `/api/v1/workflows/${wf.id}`, { token: user.token })).body;
    expect(after.steps[2]).toMatchObject({
      status: "completed",
      error: null,
      items: { total: 3, completed: 3, failed: 0 },
    });
  });
});

describe("a full_production workflow", () => {
  it("runs a two-scene Chinese script to storyboard_generation completed and starts the export on the renderer", async () => {
    const log: FrameLog = { requests: [], failures: 0 };
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(framesHandler(log), ...jobsHandlers(jobs));
    const user = await newUser();
    const project = await studioProject(user.token, { script: TWO_SCENE_SCRIPT, aspect_ratio: "9:16" });
    const before = (await call("GET", "/api/v1/auth/me", { token: user.token })).body;
    const wf = await startWorkflow(user.token, { project_id: project.id, workflow_type: "full_production" });
    const ws = await watch(user.token, wf.id);
    await ws.waitFor((f) => f.type === "step_started" && f.step === "video_rendering");
    await waitUntil(() => jobs.specs.length === 1, 20_000, "the render job");
    ws.close();

    const kinds = ws.frames.filter((f) => f.type.startsWith("step_")).map((f) => `${f.type}:${f.step}`);
    const expected = [
      "step_started:script_parsing",
      "step_completed:script_parsing",
      "step_started:character_generation",
      "step_completed:character_generation",
      "step_started:storyboard_generation",
      "step_completed:storyboard_generation",
      "step_started:video_rendering",
    ];
    expect(kinds).toEqual(expected.slice(expected.length - kinds.length));
    expect(ws.frames[0]?.type).toBe("snapshot");

    // Images in R2: two characters and two storyboards.
    const keys = await storedKeys(user.id);
    expect(keys.filter((k) => k.includes("/characters/"))).toHaveLength(2);
    expect(keys.filter((k) => k.includes("/storyboards/"))).toHaveLength(2);

    // The export: an ordinary one, charged, in history, dispatched once with both scenes' images.
    const spec = jobs.specs[0];
    expect(spec).toMatchObject({
      resolution: "720p",
      aspect_ratio: "9:16",
      format: "mp4",
      include_subtitles: true,
    });
    expect(spec?.scenes).toHaveLength(2);
    for (const scene of spec?.scenes ?? [])
      expect(scene.image_url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/files\/users\//);
    expect(spec?.scenes[0]?.caption).toBe("小明：今天天气真好。\n小红：我们去湖边走走吧。");
    expect(spec?.outputs.video.url).toMatch(/\/internal\/uploads\/[A-Za-z0-9_-]{43}$/);
    expect(spec?.callback_url).toMatch(/\/internal\/renders\/\d+\/events$/);
    const exportId = Number(spec?.callback_url.match(/renders\/(\d+)\//)?.[1]);
    const exp = await env.DB.prepare("SELECT status, workflow_id, cost FROM exports WHERE id = ?")
      .bind(exportId)
      .first<{ status: string; workflow_id: number; cost: number }>();
    expect(exp).toMatchObject({ status: "processing", workflow_id: wf.id });
    const after = (await call("GET", "/api/v1/auth/me", { token: user.token })).body;
    expect(before.quota_remaining - after.quota_remaining).toBeCloseTo((exp?.cost ?? 0) / 100, 2);

    const detail = await call("GET", `/api/v1/workflows/${wf.id}`, { token: user.token });
    expect(detail.body).toMatchObject({
      status: "running",
      current_step: "video_rendering",
      // Three steps done, the render just started (its own progress events move it on).
      progress: 0.763,
    });
    expect(detail.body.steps.map((s: { status: string }) => s.status)).toEqual([
      "completed",
      "completed",
      "completed",
      "running",
    ]);
  });
});
