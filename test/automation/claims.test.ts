import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createProject, data, newTenant } from "../helpers/automation";
import { call } from "../helpers/http";

async function pendingTasks(
  operator: string,
  n: number,
  type = "render",
  extra: Record<string, unknown> = {},
) {
  return createProject({ operator } as never, {
    tasks: Array.from({ length: n }, () => ({ task_type: type, ...extra })),
  });
}

describe("claims", () => {
  it("50 parallel claimers over 20 pending tasks: 20 distinct claims, 30 × code 1", async () => {
    const t = await newTenant();
    const project = await pendingTasks(t.operator, 20);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call("POST", "/api/tasks/claim", {
          token: t.worker,
          json: { task_types: ["render"], worker_id: `w${i}` },
        }),
      ),
    );
    const claimed = results.filter((r) => r.body.code === 0).map((r) => r.body.data);
    const empty = results.filter((r) => r.body.code === 1);
    expect(claimed).toHaveLength(20);
    expect(empty).toHaveLength(30);
    for (const r of empty)
      expect(r.body).toEqual({ code: 1, msg: "No pending tasks available for the given types.", data: null });
    expect(new Set(claimed.map((c) => c.id)).size).toBe(20);
    expect(new Set(claimed.map((c) => c.lease_token)).size).toBe(20);
    const rows = await env.DB.prepare("SELECT status, attempts, worker_id FROM tasks WHERE project_id = ?")
      .bind(project.id)
      .all();
    expect(rows.results.every((r) => r.status === "processing" && r.attempts === 1 && r.worker_id)).toBe(
      true,
    );
  });

  it("takes the highest priority first, then the oldest, and only the requested types", async () => {
    const t = await newTenant();
    const project = await createProject(t, {
      tasks: [
        { task_type: "a", commit_id: "low" },
        { task_type: "a", commit_id: "high", priority: 5 },
        { task_type: "b", commit_id: "other", priority: 100 },
        { task_type: "a", commit_id: "high-later", priority: 5 },
      ],
    });
    const order = [];
    for (let i = 0; i < 3; i++) {
      order.push(
        data(await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["a"] } }))
          .commit_id,
      );
    }
    expect(order).toEqual(["high", "high-later", "low"]);
    data(await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["a"] } }), 1);
    expect(project.id).toBeGreaterThan(0);
  });

  it("never hands out another tenant's task", async () => {
    const a = await newTenant("a");
    const b = await newTenant("b");
    await pendingTasks(a.operator, 3, "shared_type");
    data(
      await call("POST", "/api/tasks/claim", { token: b.worker, json: { task_types: ["shared_type"] } }),
      1,
    );
  });

  it("an expired lease is claimable again; the old holder's heartbeat and update are refused", async () => {
    const t = await newTenant();
    const project = await pendingTasks(t.operator, 1);
    const first = data(
      await call("POST", "/api/tasks/claim", {
        token: t.worker,
        json: { task_types: ["render"], lease_seconds: 60 },
      }),
    );
    // The heartbeat extends the lease while it is valid.
    const beat = data(
      await call("POST", `/api/tasks/${first.id}/heartbeat`, {
        token: t.worker,
        json: { lease_token: first.lease_token, lease_seconds: 120 },
      }),
    );
    expect(Date.parse(beat.lease_expires_at)).toBeGreaterThan(Date.parse(first.lease_expires_at));
    // Nobody else can claim it while the lease holds.
    data(await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["render"] } }), 1);

    // Time passes: the lease expires. Reads show it as pending at once (lazy evaluation).
    await env.DB.prepare("UPDATE tasks SET lease_expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1000, first.id)
      .run();
    expect(data(await call("GET", `/api/tasks/${first.id}`, { token: t.operator })).status).toBe("pending");
    const listed = data(
      await call("GET", `/api/tasks?status=pending&project_id=${project.id}`, { token: t.operator }),
    );
    expect(listed.map((x: any) => x.id)).toEqual([first.id]);

    const second = data(
      await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["render"] } }),
    );
    expect(second.id).toBe(first.id);
    expect(second.attempts).toBe(2);
    expect(second.lease_token).not.toBe(first.lease_token);

    const staleBeat = await call("POST", `/api/tasks/${first.id}/heartbeat`, {
      token: t.worker,
      json: { lease_token: first.lease_token },
    });
    expect(data(staleBeat, 400)).toBeNull();
    expect(staleBeat.body.msg).toBe("Lease expired");
    const staleDone = await call("PATCH", `/api/tasks/${first.id}`, {
      token: t.worker,
      json: { status: "completed", lease_token: first.lease_token, task_output: { by: "first" } },
    });
    expect(staleDone.body).toEqual({ code: 400, msg: "Lease expired", data: null });

    const done = data(
      await call("PATCH", `/api/tasks/${first.id}`, {
        token: t.worker,
        json: { status: "completed", lease_token: second.lease_token, task_output: { by: "second" } },
      }),
    );
    expect(done).toMatchObject({ status: "completed", task_output: { by: "second" }, attempts: 2 });
  });

  it("leases are decided at the context's clock: an hour later the lease has lapsed, without touching the row", async () => {
    const { createContext } = await import("../../worker/core/context");
    const { claimTask, heartbeat } = await import("../../worker/core/tasks/claim");
    const { getTask } = await import("../../worker/core/tasks/engine");
    const { effectiveStatus } = await import("../../worker/core/tasks/transitions");
    const t = await newTenant();
    await pendingTasks(t.operator, 1, "voice_test");
    const t0 = Date.now();
    const at = (ms: number) => createContext(env, { clock: () => ms });
    const first = await claimTask(at(t0), t.id, { task_types: ["voice_test"], lease_seconds: 60 });
    if (first.kind !== "claimed") throw new Error("nothing claimed");
    // 59 s later the lease holds: nothing to claim, the holder's heartbeat extends it.
    const holding = at(t0 + 59_000);
    expect((await claimTask(holding, t.id, { task_types: ["voice_test"] })).kind).toBe("none");
    const beat = await heartbeat(holding, t.id, first.task.id, {
      lease_token: first.task.leaseToken ?? "",
      lease_seconds: 60,
    });
    expect(beat.leaseExpiresAt).toBe(t0 + 59_000 + 60_000);
    // An hour later it has lapsed: it reads as pending and another worker claims it (attempt 2).
    const later = at(t0 + 3600_000);
    expect(effectiveStatus(await getTask(later, t.id, first.task.id), later.now)).toBe("pending");
    const second = await claimTask(later, t.id, { task_types: ["voice_test"] });
    if (second.kind !== "claimed") throw new Error("the lapsed lease was not claimable");
    expect(second.task).toMatchObject({ id: first.task.id, attempts: 2 });
    expect(second.task.leaseExpiresAt).toBe(t0 + 3600_000 + 300_000);
    await expect(
      heartbeat(later, t.id, first.task.id, { lease_token: first.task.leaseToken ?? "" }),
    ).rejects.toThrow("Lease expired");
  });

  it("a worker-only credential must present its lease token; operators may update without one", async () => {
    const t = await newTenant();
    await pendingTasks(t.operator, 2);
    const claimed = data(
      await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["render"] } }),
    );
    const noToken = await call("PATCH", `/api/tasks/${claimed.id}`, {
      token: t.worker,
      json: { status: "completed" },
    });
    expect(noToken.body).toEqual({
      code: 400,
      msg: "lease_token is required for worker updates",
      data: null,
    });
    const op = data(
      await call("PATCH", `/api/tasks/${claimed.id}`, {
        token: t.operator,
        json: { status: "failed", error_message: "boom" },
      }),
    );
    expect(op).toMatchObject({ status: "failed", error_message: "boom" });
  });

  it("the cron returns expired leases to pending and fails a task whose attempts are used up", async () => {
    const t = await newTenant();
    const project = await pendingTasks(t.operator, 2);
    const a = data(
      await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["render"] } }),
    );
    const b = data(
      await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["render"] } }),
    );
    await env.DB.prepare("UPDATE tasks SET lease_expires_at = ? WHERE id IN (?, ?)")
      .bind(Date.now() - 1, a.id, b.id)
      .run();
    await env.DB.prepare("UPDATE tasks SET attempts = 5 WHERE id = ?").bind(b.id).run();
    const { runScheduled } = await import("../../worker/entries/scheduled");
    const result = await runScheduled(env, Date.now());
    expect(result.leasesExpired).toBeGreaterThanOrEqual(2);
    const after = data(await call("GET", `/projects/${project.id}`, { token: t.operator }));
    const byId = new Map(after.tasks.map((x: any) => [x.id, x]));
    expect(byId.get(a.id)).toMatchObject({ status: "pending", attempts: 1 });
    expect(byId.get(b.id)).toMatchObject({
      status: "failed",
      error_message: "Lease expired after 5 attempts",
    });
    expect(after.failed_tasks).toBe(1);
  });

  it("does not hand out tasks of paused or cancelled studio workflows", async () => {
    const t = await newTenant();
    const project = await pendingTasks(t.operator, 1, "storyboard_image");
    const now = Date.now();
    const studio = await call("POST", "/api/v1/projects", { token: t.token, json: { name: "studio" } });
    const wf = await env.DB.prepare(
      "INSERT INTO workflows (owner_id, project_id, workflow_type, generator, status, progress, created_at, updated_at) VALUES (?, ?, 'storyboard', 'external', 'paused', 0, ?, ?) RETURNING id",
    )
      .bind(t.id, studio.body.id, now, now)
      .first<{ id: number }>();
    // An item of the workflow (a child of a step): the only kind of workflow task workers may claim.
    await env.DB.prepare("UPDATE tasks SET workflow_id = ?, parent_task_id = id WHERE project_id = ?")
      .bind(wf?.id, project.id)
      .run();
    data(
      await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["storyboard_image"] } }),
      1,
    );
    await env.DB.prepare("UPDATE workflows SET status = 'running' WHERE id = ?").bind(wf?.id).run();
    data(
      await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["storyboard_image"] } }),
    );
  });

  it("validates the claim body", async () => {
    const t = await newTenant();
    for (const json of [
      {},
      { task_types: [] },
      { task_types: ["x"], lease_seconds: 0 },
      { task_types: ["x"], platform: "myspace" },
    ]) {
      const res = await call("POST", "/api/tasks/claim", { token: t.worker, json });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 400, data: { errors: expect.any(Array) } });
    }
    const tooLong = await call("POST", "/api/tasks/claim", {
      token: t.worker,
      json: { task_types: ["x"], lease_seconds: 86_400 },
    });
    expect(tooLong.body).toEqual({ code: 400, msg: "lease_seconds must be between 1 and 3600", data: null });
  });
});
