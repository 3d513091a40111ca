import { describe, expect, it } from "vitest";
import { createProject, data, newTenant } from "../helpers/automation";
import { call } from "../helpers/http";

describe("automation smoke", () => {
  it("creates a project with a task graph, claims, completes, and rolls up", async () => {
    const t = await newTenant();
    const project = await createProject(t, {
      tasks: [
        { task_type: "script", commit_id: "a" },
        { task_type: "video_generation", commit_id: "b", dependencies: ["a"] },
        { task_type: "audio_generation", commit_id: "c", dependencies: [{ index: 0 }] },
        { task_type: "merge", commit_id: "d", dependencies: ["b", "c"] },
      ],
    });
    expect(project.tasks.map((x: any) => x.status)).toEqual(["pending", "waiting", "waiting", "waiting"]);
    expect(project.total_tasks).toBe(4);
    const claimed = data(
      await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["script"] } }),
    );
    expect(claimed.commit_id).toBe("a");
    const done = data(
      await call("PATCH", `/api/tasks/${claimed.id}`, {
        token: t.worker,
        json: { status: "completed", lease_token: claimed.lease_token, task_output: { ok: true } },
      }),
    );
    expect(done.status).toBe("completed");
    const after = data(await call("GET", `/projects/${project.id}`, { token: t.operator }));
    expect(after.tasks.map((x: any) => x.status)).toEqual(["completed", "pending", "pending", "waiting"]);
    expect(after.status).toBe("processing");
    expect(after.completed_tasks).toBe(1);
  });
});
