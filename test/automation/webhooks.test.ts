import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../worker/index";
import { createProject, data, newTenant, type Tenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { server } from "../helpers/msw";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function approvedInspiration(t: Tenant) {
  const i = data(await call("POST", "/api/inspirations", { token: t.operator, json: { title: "idea" } }));
  return data(await call("POST", `/api/inspirations/${i.id}/approve`, { token: t.operator, json: {} }));
}

const creationBody = (executionId: string) => ({
  status: "success",
  project: { name: "from n8n", project_type: "video_generation" },
  tasks: [
    { task_type: "a", commit_id: `${executionId}-a` },
    { task_type: "b", commit_id: `${executionId}-b`, dependencies: [`${executionId}-a`] },
  ],
  executionId,
});

async function outboxFor(ownerId: number) {
  return env.DB.prepare(
    "SELECT id, status, attempts, target_url, payload FROM outbox WHERE owner_id = ? AND kind = 'n8n_trigger' ORDER BY id",
  )
    .bind(ownerId)
    .all<{ id: number; status: string; attempts: number; target_url: string; payload: string }>();
}

describe("n8n callbacks are applied once per executionId", () => {
  it("a replayed project-creation delivery creates nothing more and answers the same", async () => {
    const t = await newTenant();
    const i = await approvedInspiration(t);
    const first = data(
      await call("POST", `/api/webhooks/n8n/project_creation/${i.id}`, {
        token: t.n8n,
        json: creationBody("exec-1"),
      }),
    );
    const again = data(
      await call("POST", `/api/webhooks/n8n/project_creation/${i.id}`, {
        token: t.n8n,
        json: creationBody("exec-1"),
      }),
    );
    expect(again).toEqual(first);
    const projects = data(await call("GET", "/projects", { token: t.operator }));
    expect(projects).toHaveLength(1);
    expect(projects[0].total_tasks).toBe(2);
  });

  it("5 concurrent deliveries of one execution: one project, five identical answers", async () => {
    const t = await newTenant();
    const i = await approvedInspiration(t);
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        call("POST", `/api/webhooks/n8n/project_creation/${i.id}`, {
          token: t.n8n,
          json: creationBody("exec-c"),
        }),
      ),
    );
    const bodies = results.map((r) => data(r));
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(data(await call("GET", "/projects", { token: t.operator }))).toHaveLength(1);
  });

  it("an execution callback delivered twice updates once; a late, older one never moves a task backwards", async () => {
    const t = await newTenant();
    const p = await createProject(t, { tasks: [{ task_type: "a" }, { task_type: "b" }] });
    const [a, b] = p.tasks;
    const done = {
      status: "success",
      task_updates: [{ task_id: a.id, status: "completed", task_output: { url: "https://x/1.mp4" } }],
      executionId: "exec-new",
    };
    const first = data(
      await call("POST", `/api/webhooks/n8n/project_execution/${p.id}`, { token: t.n8n, json: done }),
    );
    expect(first).toMatchObject({ tasks_updated: 1, tasks_ignored: [] });
    expect(
      data(await call("POST", `/api/webhooks/n8n/project_execution/${p.id}`, { token: t.n8n, json: done })),
    ).toEqual(first);
    const stale = data(
      await call("POST", `/api/webhooks/n8n/project_execution/${p.id}`, {
        token: t.n8n,
        json: {
          status: "success",
          task_updates: [
            { task_id: a.id, status: "processing" },
            { task_id: b.id, status: "completed" },
          ],
          executionId: "exec-old",
        },
      }),
    );
    expect(stale).toMatchObject({ tasks_updated: 1, tasks_ignored: [a.id] });
    const after = data(await call("GET", `/projects/${p.id}`, { token: t.operator }));
    expect(after.tasks.map((x: any) => x.status)).toEqual(["completed", "completed"]);
    expect(after).toMatchObject({ status: "completed", used_execution_workflow_id: "exec-old" });
  });

  it("the task-update webhook is idempotent", async () => {
    const t = await newTenant();
    const p = await createProject(t, { tasks: [{ task_type: "a" }] });
    const id = p.tasks[0].id;
    const body = {
      status: "completed",
      task_output: { result_url: "https://example.com/result.mp4" },
      commit_id: "task_commit_final",
    };
    const first = data(
      await call("POST", `/api/webhooks/n8n/task_update/${id}`, { token: t.n8n, json: body }),
    );
    expect(first).toEqual({ message: "Task webhook processed", task_id: id, status: "completed" });
    expect(
      data(await call("POST", `/api/webhooks/n8n/task_update/${id}`, { token: t.n8n, json: body })),
    ).toEqual(first);
    const task = data(
      await call("PATCH", "/api/tasks/update-by-commit-id", {
        token: t.operator,
        json: { commit_id: "task_commit_final" },
      }),
    );
    expect(task).toMatchObject({ id, status: "completed" });
  });

  it("a reviewed inspiration ignores a late generation callback", async () => {
    const t = await newTenant();
    const i = await approvedInspiration(t);
    const res = data(
      await call("POST", `/api/webhooks/n8n/inspiration/${i.id}`, {
        token: t.n8n,
        json: { status: "success", data: { title: "late" }, executionId: "late-1" },
      }),
    );
    expect(res.ignored).toBe("inspiration is already approved");
    expect(data(await call("GET", `/api/inspirations/${i.id}`, { token: t.operator }))).toMatchObject({
      title: "idea",
      status: "approved",
    });
  });

  it("webhooks need the webhooks scope and refuse bad payloads", async () => {
    const t = await newTenant();
    const i = await approvedInspiration(t);
    const path = `/api/webhooks/n8n/project_creation/${i.id}`;
    expect((await call("POST", path, { token: t.worker, json: creationBody("x") })).body.code).toBe(403);
    const missing = await call("POST", path, { token: t.n8n, json: { status: "success" } });
    expect(missing.body).toMatchObject({ code: 400, msg: expect.stringContaining("body.executionId") });
    const noProject = await call("POST", path, {
      token: t.n8n,
      json: { status: "success", executionId: "e" },
    });
    expect(noProject.body).toEqual({
      code: 400,
      msg: "project is required when status is success",
      data: null,
    });
    const notApproved = data(
      await call("POST", "/api/inspirations", { token: t.operator, json: { title: "raw" } }),
    );
    const early = await call("POST", `/api/webhooks/n8n/project_creation/${notApproved.id}`, {
      token: t.n8n,
      json: creationBody("y"),
    });
    expect(early.body).toEqual({
      code: 400,
      msg: `Inspiration ${notApproved.id} is not approved`,
      data: null,
    });
  });
});

describe("outbound n8n triggers", () => {
  it("a queue message delivered twice triggers n8n once", async () => {
    let hits = 0;
    server.use(
      http.post("https://n8n.example.com/hooks/once", () => {
        hits++;
        return HttpResponse.json({});
      }),
    );
    const t = await newTenant();
    await call("POST", "/api/worker-configs", {
      token: t.operator,
      json: {
        config_name: "i",
        config_type: "n8n_workflow",
        worker_type: "inspiration",
        config_data: { webhook_url: "https://n8n.example.com/hooks/once" },
      },
    });
    data(await call("POST", "/api/inspirations", { token: t.operator, json: { title: "idea" } }));
    const row = (await outboxFor(t.id)).results[0];
    if (!row) throw new Error("no trigger row");
    const batch = createMessageBatch("short-drama-jobs", [
      { id: "d1", timestamp: new Date(), attempts: 1, body: { kind: "outbox", id: row.id } },
      { id: "d2", timestamp: new Date(), attempts: 1, body: { kind: "outbox", id: row.id } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    await getQueueResult(batch, ctx);
    // The background consumer may have taken the first send; either way exactly one reached n8n.
    for (let i = 0; i < 40 && (await outboxFor(t.id)).results[0]?.status !== "delivered"; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(hits).toBe(1);
    expect((await outboxFor(t.id)).results[0]?.status).toBe("delivered");
  });

  it("an n8n endpoint that keeps failing is retried with backoff, dead-lettered, and the inspiration fails", async () => {
    let hits = 0;
    server.use(
      http.post("https://n8n.example.com/hooks/down", () => {
        hits++;
        return new HttpResponse("bad gateway", { status: 502 });
      }),
    );
    const t = await newTenant();
    await call("POST", "/api/worker-configs", {
      token: t.operator,
      json: {
        config_name: "i",
        config_type: "n8n_workflow",
        worker_type: "inspiration",
        config_data: { webhook_url: "https://n8n.example.com/hooks/down" },
      },
    });
    const inspiration = data(
      await call("POST", "/api/inspirations", { token: t.operator, json: { title: "idea" } }),
    );
    const row = (await outboxFor(t.id)).results[0];
    if (!row) throw new Error("no trigger row");
    for (let attempt = 1; attempt <= 3; attempt++) {
      // Wait until the previous attempt has released the row.
      for (let i = 0; i < 40 && (await outboxFor(t.id)).results[0]?.status === "sending"; i++)
        await new Promise((r) => setTimeout(r, 25));
      const batch = createMessageBatch("short-drama-jobs", [
        { id: `m${attempt}`, timestamp: new Date(), attempts: attempt, body: { kind: "outbox", id: row.id } },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      if (result.retryMessages.length) expect(result.retryMessages).toEqual([{ msgId: `m${attempt}` }]);
    }
    expect(hits).toBeGreaterThanOrEqual(3);
    expect((await outboxFor(t.id)).results[0]).toMatchObject({ status: "failed" });
    const dlq = createMessageBatch("short-drama-jobs-dlq", [
      { id: "dead", timestamp: new Date(), attempts: 1, body: { kind: "outbox", id: row.id } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(dlq, env, ctx);
    await getQueueResult(dlq, ctx);
    expect((await outboxFor(t.id)).results[0]?.status).toBe("dead");
    expect(
      data(await call("GET", `/api/inspirations/${inspiration.id}`, { token: t.operator })),
    ).toMatchObject({
      status: "failed",
      last_error: "The inspiration workflow could not be reached",
    });
  });

  it("without a configured flow the trigger is recorded as skipped, and regenerate still answers", async () => {
    const t = await newTenant();
    const i = data(
      await call("POST", "/api/inspirations", {
        token: t.operator,
        json: { title: "idea", parameters: { a: 1 } },
      }),
    );
    expect((await outboxFor(t.id)).results.map((r) => r.status)).toEqual(["skipped"]);
    const regen = data(
      await call("POST", `/api/inspirations/${i.id}/regenerate`, {
        token: t.operator,
        json: { parameter_overrides: { b: 2 } },
      }),
    );
    expect(regen).toMatchObject({ status: "draft", parameters: { a: 1, b: 2 } });
  });

  it("refuses private, loopback and metadata webhook URLs", async () => {
    const t = await newTenant();
    for (const url of [
      "http://127.0.0.1:6379/",
      "http://[::1]/",
      "http://0x7f000001/",
      "http://2130706433/",
      "http://169.254.169.254/latest/meta-data",
      "http://10.0.0.5/",
      "http://localhost:5678/webhook",
      "http://n8n.internal/hook",
      "file:///etc/passwd",
      "gopher://example.com/",
    ]) {
      const res = await call("POST", "/api/worker-configs", {
        token: t.operator,
        json: {
          config_name: "x",
          config_type: "n8n_workflow",
          worker_type: "inspiration",
          config_data: { webhook_url: url },
        },
      });
      expect(res.body.code, url).toBe(400);
    }
  });
});
