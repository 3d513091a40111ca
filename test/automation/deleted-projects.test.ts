import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createProject, data, newTenant, type Tenant } from "../helpers/automation";
import { call } from "../helpers/http";

/** A deleted pipeline project's tasks are gone for every route, claims included. */
function claim(t: Tenant, extra: Record<string, unknown> = {}) {
  return call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["render"], ...extra } });
}

async function taskRows(projectId: number) {
  const rows = await env.DB.prepare(
    "SELECT id, status, deleted_at, lease_token FROM tasks WHERE project_id = ? ORDER BY id",
  )
    .bind(projectId)
    .all<{ id: number; status: string; deleted_at: number | null; lease_token: string | null }>();
  return rows.results;
}

describe("deleting a pipeline project", () => {
  it("cancels its tasks in the same batch: never claimable, 404 to reads and writes, not listed", async () => {
    const t = await newTenant("del-project");
    const project = await createProject(t, {
      tasks: [
        { task_type: "render", commit_id: "del-a" },
        { task_type: "render", commit_id: "del-b" },
        { task_type: "render", commit_id: "del-c", status: "completed" },
      ],
    });
    const [a, b, c] = project.tasks as { id: number }[];
    const held = data(await claim(t));
    expect(held.id).toBe(a?.id);

    data(await call("DELETE", `/projects/${project.id}`, { token: t.operator }));

    // Nothing left to claim, with or without a platform account (whose unit is given back).
    data(await claim(t), 1);
    const acct = data(
      await call("POST", "/api/platform-accounts", {
        token: t.operator,
        json: { platform: "dreamina", name: "acct", credentials: { api_key: "k" }, daily_limit: 3 },
      }),
    );
    data(await claim(t, { platform: "dreamina" }), 1);
    expect(
      data(await call("GET", `/api/platform-accounts/${acct.id}`, { token: t.operator })).used_today,
    ).toBe(0);

    // Reads and writes of every task: 404, whoever asks.
    for (const id of [a?.id, b?.id, c?.id]) {
      expect((await call("GET", `/api/tasks/${id}`, { token: t.operator })).body.code).toBe(404);
      const patch = await call("PATCH", `/api/tasks/${id}`, {
        token: t.operator,
        json: { status: "completed" },
      });
      expect(patch.body.code).toBe(404);
      expect(
        (await call("GET", `/api/worker-configs/tasks/${id}/configs`, { token: t.operator })).body.code,
      ).toBe(404);
    }
    const late = await call("PATCH", `/api/tasks/${held.id}`, {
      token: t.worker,
      json: { status: "completed", lease_token: held.lease_token },
    });
    expect(late.body.code).toBe(404);
    const beat = await call("POST", `/api/tasks/${held.id}/heartbeat`, {
      token: t.worker,
      json: { lease_token: held.lease_token },
    });
    expect(beat.body.code).toBe(404);
    const batch = await call("PATCH", "/api/tasks/batch-update", {
      token: t.operator,
      json: { commit_ids: ["del-b"], status: "completed" },
    });
    expect(batch.body.code).toBe(404);
    const byCommit = await call("PATCH", "/api/tasks/update-by-commit-id", {
      token: t.operator,
      json: { commit_id: "del-b", status: "completed" },
    });
    expect(byCommit.body.code).toBe(404);
    // n8n's callbacks find nothing either.
    const viaTask = await call("POST", `/api/webhooks/n8n/task_update/${b?.id}`, {
      token: t.n8n,
      json: { status: "completed" },
    });
    expect(viaTask.body.code).toBe(404);
    const viaProject = await call("POST", `/api/webhooks/n8n/project_execution/${project.id}`, {
      token: t.n8n,
      json: { status: "success", task_updates: [{ task_id: b?.id, status: "completed" }], executionId: "x1" },
    });
    expect(viaProject.body.code).toBe(404);
    const listed = data(await call("GET", "/api/tasks", { token: t.operator }));
    expect(listed).toEqual([]);
    const added = await call("POST", "/api/tasks", {
      token: t.operator,
      json: { project_id: project.id, task_type: "render" },
    });
    expect(added.body.code).toBe(404);

    // Stored: every task deleted with its project; the unfinished ones cancelled, leases ended.
    const rows = await taskRows(project.id);
    expect(rows.map((r) => r.status)).toEqual(["cancelled", "cancelled", "completed"]);
    expect(rows.every((r) => r.deleted_at !== null && r.lease_token === null)).toBe(true);
  });

  it("a claim racing the delete cannot win: what it got is cancelled and refuses every update", async () => {
    const t = await newTenant("del-race");
    const project = await createProject(t, {
      tasks: Array.from({ length: 20 }, () => ({ task_type: "render" })),
    });
    const [deleted, ...claims] = await Promise.all([
      call("DELETE", `/projects/${project.id}`, { token: t.operator }),
      ...Array.from({ length: 20 }, (_, i) => claim(t, { worker_id: `w${i}` })),
    ]);
    data(deleted as never);
    const won = claims.filter((r) => r.body.code === 0).map((r) => r.body.data);
    for (const task of won) {
      const done = await call("PATCH", `/api/tasks/${task.id}`, {
        token: t.worker,
        json: { status: "completed", lease_token: task.lease_token },
      });
      expect(done.body.code).toBe(404);
    }
    data(await claim(t), 1);
    const rows = await taskRows(project.id);
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.status === "cancelled" && r.deleted_at !== null)).toBe(true);
  });
});
