import { describe, expect, it } from "vitest";
import { createProject, data, newTenant } from "../helpers/automation";
import { call } from "../helpers/http";

const STATUSES = ["pending", "processing", "completed", "failed"] as const;
const ALLOWED: Record<string, string[]> = {
  pending: ["processing", "failed"],
  processing: ["completed", "failed"],
  completed: ["processing"],
  failed: ["pending", "processing"],
};

/** Puts a fresh project into `status` along valid edges only. */
async function projectIn(t: Awaited<ReturnType<typeof newTenant>>, status: string) {
  const p = await createProject(t);
  const path: Record<string, string[]> = {
    pending: [],
    processing: ["processing"],
    completed: ["processing", "completed"],
    failed: ["failed"],
  };
  for (const s of path[status] ?? [])
    data(await call("PUT", `/projects/${p.id}`, { token: t.operator, json: { status: s } }));
  return p.id as number;
}

describe("pipeline project status: the allowed transitions exactly", () => {
  it("accepts every allowed transition and refuses every other one with the documented message", async () => {
    const t = await newTenant();
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        if (from === to) continue;
        const id = await projectIn(t, from);
        const res = await call("PUT", `/projects/${id}`, { token: t.operator, json: { status: to } });
        if (ALLOWED[from]?.includes(to)) {
          expect(data(res).status, `${from} → ${to}`).toBe(to);
        } else {
          expect(res.status, `${from} → ${to}`).toBe(400);
          expect(res.body).toEqual({
            code: 400,
            msg: `Invalid status transition from ${from} to ${to}`,
            data: null,
          });
          const unchanged = data(await call("GET", `/projects/${id}`, { token: t.operator }));
          expect(unchanged.status).toBe(from);
        }
      }
    }
  });
});

describe("task status machine", () => {
  it("refuses moves out of finished states and into processing while waiting", async () => {
    const t = await newTenant();
    const p = await createProject(t, {
      tasks: [
        { task_type: "a", commit_id: "a" },
        { task_type: "b", commit_id: "b", dependencies: ["a"] },
      ],
    });
    const [a, b] = p.tasks;
    const waiting = await call("PATCH", `/api/tasks/${b.id}`, {
      token: t.operator,
      json: { status: "processing" },
    });
    expect(waiting.body).toEqual({
      code: 400,
      msg: `Task ${b.id} is waiting for its dependencies`,
      data: null,
    });
    data(
      await call("PATCH", `/api/tasks/${a.id}`, {
        token: t.operator,
        json: { status: "completed", task_output: { v: 1 } },
      }),
    );
    // An identical replay changes nothing and answers the same.
    const replay = data(
      await call("PATCH", `/api/tasks/${a.id}`, {
        token: t.operator,
        json: { status: "completed", task_output: { v: 1 } },
      }),
    );
    expect(replay).toMatchObject({ status: "completed", task_output: { v: 1 } });
    for (const to of ["pending", "processing", "failed", "waiting"]) {
      const res = await call("PATCH", `/api/tasks/${a.id}`, { token: t.operator, json: { status: to } });
      expect(res.body).toEqual({
        code: 400,
        msg: `Invalid status transition from completed to ${to}`,
        data: null,
      });
    }
    const changedOutput = await call("PATCH", `/api/tasks/${a.id}`, {
      token: t.operator,
      json: { status: "completed", task_output: { v: 2 } },
    });
    expect(changedOutput.body.msg).toBe("Invalid status transition from completed to completed");
    // A failed task may be retried: back to waiting or pending by its dependencies.
    data(
      await call("PATCH", `/api/tasks/${b.id}`, {
        token: t.operator,
        json: { status: "failed", error_message: "x" },
      }),
    );
    const retried = data(
      await call("PATCH", `/api/tasks/${b.id}`, { token: t.operator, json: { status: "pending" } }),
    );
    expect(retried.status).toBe("pending");
  });

  it("rolls the project up: failed when nothing can run, reopened by a retry", async () => {
    const t = await newTenant();
    const p = await createProject(t, { tasks: [{ task_type: "only" }] });
    const id = p.tasks[0].id;
    data(
      await call("PATCH", `/api/tasks/${id}`, {
        token: t.operator,
        json: { status: "failed", error_message: "no" },
      }),
    );
    expect(data(await call("GET", `/projects/${p.id}`, { token: t.operator }))).toMatchObject({
      status: "failed",
      failed_tasks: 1,
    });
    const regen = data(
      await call("POST", `/projects/${p.id}/regenerate`, { token: t.operator, json: { seed: 1 } }),
    );
    expect(regen).toMatchObject({
      message: "Project regeneration workflow triggered",
      project_id: p.id,
      execution_id: expect.stringMatching(/^trg_/),
      triggered: false,
    });
    const after = data(await call("GET", `/projects/${p.id}`, { token: t.operator }));
    expect(after).toMatchObject({ status: "pending", failed_tasks: 0 });
    expect(after.tasks[0].status).toBe("pending");
  });

  it("recalculate-tasks recounts from the tasks", async () => {
    const t = await newTenant();
    const p = await createProject(t, { tasks: [{ task_type: "x" }, { task_type: "y" }] });
    const { env } = await import("cloudflare:workers");
    await env.DB.prepare("UPDATE pipeline_projects SET total_tasks = 99, completed_tasks = 42 WHERE id = ?")
      .bind(p.id)
      .run();
    const fixed = data(await call("POST", `/projects/${p.id}/recalculate-tasks`, { token: t.operator }));
    expect(fixed).toMatchObject({ total_tasks: 2, completed_tasks: 0, failed_tasks: 0 });
  });
});
