import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { findCycle, planGraph } from "../../worker/core/tasks/graph";
import { createProject, data, newTenant } from "../helpers/automation";
import { call } from "../helpers/http";

async function taskCount(projectId: number) {
  return env.DB.prepare("SELECT COUNT(*) AS n FROM tasks WHERE project_id = ?")
    .bind(projectId)
    .first<number>("n");
}

describe("task graphs", () => {
  it("refuses direct, indirect and self cycles with code 400 and writes nothing", async () => {
    const t = await newTenant();
    const project = await createProject(t);
    const cycles = [
      [{ task_type: "a", commit_id: "a", dependencies: ["a"] }],
      [
        { task_type: "a", commit_id: "a", dependencies: ["b"] },
        { task_type: "b", commit_id: "b", dependencies: ["a"] },
      ],
      [
        { task_type: "a", dependencies: [{ index: 2 }] },
        { task_type: "b", dependencies: [{ index: 0 }] },
        { task_type: "c", dependencies: [{ index: 1 }] },
      ],
    ];
    for (const tasks of cycles) {
      const res = await call("POST", "/api/tasks/batch", {
        token: t.operator,
        json: { tasks: tasks.map((x) => ({ ...x, project_id: project.id })) },
      });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe(400);
      expect(res.body.msg).toMatch(/cycle|depends on itself/);
    }
    expect(await taskCount(project.id)).toBe(0);
  });

  it("refuses unknown dependencies and dependencies in other projects (400), foreign projects (404)", async () => {
    const t = await newTenant();
    const other = await newTenant();
    const mine = await createProject(t, { tasks: [{ task_type: "x" }] });
    const second = await createProject(t, { tasks: [{ task_type: "y" }] });
    const theirs = await createProject(other, { tasks: [{ task_type: "z" }] });

    const unknown = await call("POST", "/api/tasks", {
      token: t.operator,
      json: { project_id: mine.id, task_type: "t", dependencies: [999_999] },
    });
    expect(unknown.body).toEqual({ code: 400, msg: "Dependency task 999999 not found", data: null });
    const crossProject = await call("POST", "/api/tasks", {
      token: t.operator,
      json: { project_id: mine.id, task_type: "t", dependencies: [second.tasks[0].id] },
    });
    expect(crossProject.body).toEqual({
      code: 400,
      msg: `Dependency task ${second.tasks[0].id} belongs to another project`,
      data: null,
    });
    // Another tenant's task reads exactly like one that does not exist.
    const foreignDep = await call("POST", "/api/tasks", {
      token: t.operator,
      json: { project_id: mine.id, task_type: "t", dependencies: [theirs.tasks[0].id] },
    });
    expect(foreignDep.body.msg).toBe(`Dependency task ${theirs.tasks[0].id} not found`);
    const foreignProject = await call("POST", "/api/tasks", {
      token: t.operator,
      json: { project_id: theirs.id, task_type: "t" },
    });
    expect(foreignProject.body).toEqual({ code: 404, msg: "Project not found", data: null });
    expect(await taskCount(mine.id)).toBe(1);
  });

  it("sets waiting/pending from dependencies and releases dependents when they complete", async () => {
    const t = await newTenant();
    const project = await createProject(t, { tasks: [{ task_type: "root", commit_id: "root" }] });
    const rootId = project.tasks[0].id;
    const batch = data(
      await call("POST", "/api/tasks/batch", {
        token: t.operator,
        json: {
          tasks: [
            { project_id: project.id, task_type: "child", dependencies: [rootId], commit_id: "c1" },
            { project_id: project.id, task_type: "child", dependencies: [rootId, "c1"], commit_id: "c2" },
            { project_id: project.id, task_type: "free", status: "waiting" },
            { project_id: project.id, task_type: "done", status: "completed" },
            { project_id: project.id, task_type: "after-done", dependencies: [{ index: 3 }] },
          ],
        },
      }),
    );
    expect(batch.map((x: any) => [x.task_type, x.status])).toEqual([
      ["child", "waiting"],
      ["child", "waiting"],
      ["free", "pending"],
      ["done", "completed"],
      ["after-done", "pending"],
    ]);
    expect(batch[1].dependencies).toEqual([rootId, batch[0].id].sort((a, b) => a - b));

    data(await call("PATCH", `/api/tasks/${rootId}`, { token: t.operator, json: { status: "completed" } }));
    const statuses = async () =>
      Object.fromEntries(
        data(await call("GET", `/api/tasks?project_id=${project.id}`, { token: t.operator })).map(
          (x: any) => [x.commit_id ?? x.task_type, x.status],
        ),
      );
    expect(await statuses()).toMatchObject({ root: "completed", c1: "pending", c2: "waiting" });
    data(
      await call("PATCH", "/api/tasks/update-by-commit-id", {
        token: t.operator,
        json: { commit_id: "c1", status: "completed" },
      }),
    );
    expect(await statuses()).toMatchObject({ c1: "completed", c2: "pending" });
  });

  it("creates 500 tasks in one atomic batch", async () => {
    const t = await newTenant();
    const project = await createProject(t);
    const tasks = Array.from({ length: 500 }, (_, i) => ({
      project_id: project.id,
      task_type: "bulk",
      commit_id: `bulk-${i}`,
      dependencies: i > 0 ? [{ index: i - 1 }] : [],
    }));
    const created = data(await call("POST", "/api/tasks/batch", { token: t.operator, json: { tasks } }));
    expect(created).toHaveLength(500);
    expect(created[0].status).toBe("pending");
    expect(created[499].status).toBe("waiting");
    expect(created[499].dependencies).toEqual([created[498].id]);
    const detail = data(await call("GET", `/projects/${project.id}`, { token: t.operator }));
    expect(detail.total_tasks).toBe(500);
    const tooMany = await call("POST", "/api/tasks/batch", {
      token: t.operator,
      json: { tasks: Array.from({ length: 501 }, () => ({ project_id: project.id, task_type: "x" })) },
    });
    expect(tooMany.body.code).toBe(400);
  });

  it("refuses a commit_id already used (409) and keeps the batch all-or-nothing", async () => {
    const t = await newTenant();
    const project = await createProject(t, { tasks: [{ task_type: "a", commit_id: "dup" }] });
    const res = await call("POST", "/api/tasks/batch", {
      token: t.operator,
      json: {
        tasks: [
          { project_id: project.id, task_type: "b", commit_id: "fresh" },
          { project_id: project.id, task_type: "c", commit_id: "dup" },
        ],
      },
    });
    expect(res.body).toEqual({ code: 409, msg: "A task with commit_id 'dup' already exists", data: null });
    expect(await taskCount(project.id)).toBe(1);
    const inBatch = await call("POST", "/api/tasks/batch", {
      token: t.operator,
      json: {
        tasks: [
          { project_id: project.id, task_type: "b", commit_id: "twice" },
          { project_id: project.id, task_type: "c", commit_id: "twice" },
        ],
      },
    });
    expect(inBatch.body.msg).toBe("Duplicate commit_id 'twice' in the request");
  });

  it("planGraph and findCycle are pure", () => {
    expect(findCycle([[1], [2], []])).toBeNull();
    expect(findCycle([[1], [2], [0]])).toEqual([0, 1, 2, 0]);
    expect(planGraph([{ commit_id: "a" }, { dependencies: ["a", 7, { index: 0 }] }])).toEqual({
      internal: [[], [0]],
      external: [[], [7]],
      externalIds: [7],
    });
    expect(() => planGraph([{ dependencies: [{ index: 5 }] }])).toThrow(/unknown reference/);
  });
});
