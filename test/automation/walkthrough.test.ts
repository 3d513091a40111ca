import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { verifyWebhook } from "../../worker/platform/webhook-signing";
import { data, newTenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { server } from "../helpers/msw";

interface Received {
  url: string;
  body: any;
  headers: Record<string, string>;
  raw: string;
}

const received: Received[] = [];

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  received.length = 0;
});
afterAll(() => server.close());

function n8n(path: string) {
  return http.post(`https://n8n.example.com/webhook/${path}`, async ({ request }) => {
    const raw = await request.text();
    received.push({
      url: request.url,
      body: JSON.parse(raw),
      raw,
      headers: Object.fromEntries(request.headers),
    });
    return HttpResponse.json({ ok: true });
  });
}

async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("the documented walkthrough, end to end", () => {
  it("inspiration → approve → project-creation webhook → claim → update by commit id → project completed", async () => {
    server.use(n8n("inspiration"), n8n("project-creation"));
    const t = await newTenant();
    for (const [worker_type, path] of [
      ["inspiration", "inspiration"],
      ["project_creation", "project-creation"],
    ]) {
      data(
        await call("POST", "/api/worker-configs", {
          token: t.operator,
          json: {
            config_name: `${worker_type} flow`,
            config_type: "n8n_workflow",
            worker_type,
            config_data: { webhook_url: `https://n8n.example.com/webhook/${path}` },
            priority: 10,
          },
        }),
      );
    }

    // 1. Create the inspiration (answers draft) — the n8n inspiration flow is triggered.
    const inspiration = data(
      await call("POST", "/api/inspirations", {
        token: t.operator,
        json: {
          title: "AI短视频创意",
          description: "关于科技的短视频",
          project_type_code: "tech_video",
          source: "user_input",
        },
      }),
    );
    expect(inspiration).toMatchObject({ title: "AI短视频创意", status: "draft", score: null });
    const trigger = await until(
      () => received.find((r) => r.url.endsWith("/inspiration")),
      "the inspiration trigger",
    );
    expect(trigger.body).toMatchObject({
      workflow: "inspiration",
      inspiration_id: inspiration.id,
      title: "AI短视频创意",
      callback_url: `https://api.test/api/webhooks/n8n/inspiration/${inspiration.id}`,
    });
    // The trigger is signed (Standard Webhooks) over the raw body.
    const signed = await verifyWebhook(
      [env.WEBHOOK_SIGNING_SECRET],
      {
        id: trigger.headers["webhook-id"],
        timestamp: trigger.headers["webhook-timestamp"],
        signature: trigger.headers["webhook-signature"],
      },
      trigger.raw,
      Math.floor(Date.now() / 1000),
    );
    expect(signed).toBe(true);
    await until(
      async () =>
        data(await call("GET", `/api/inspirations/${inspiration.id}`, { token: t.operator })).status ===
        "generating",
      "generating",
    );

    // n8n answers with the generated inspiration.
    const generated = data(
      await call("POST", `/api/webhooks/n8n/inspiration/${inspiration.id}`, {
        token: t.n8n,
        json: { status: "success", data: { title: "AI生成的标题", score: 4.5 }, executionId: "n8n_exec_1" },
      }),
    );
    expect(generated).toEqual({
      message: "Inspiration webhook processed",
      inspiration_id: inspiration.id,
      status: "success",
    });

    // 2. Approve — the project-creation flow is triggered.
    const approved = data(
      await call("POST", `/api/inspirations/${inspiration.id}/approve`, {
        token: t.operator,
        json: { review_notes: "创意不错，可以制作", score: 4.5 },
      }),
    );
    expect(approved).toMatchObject({
      status: "approved",
      review_notes: "创意不错，可以制作",
      title: "AI生成的标题",
    });
    const creationTrigger = await until(
      () => received.find((r) => r.url.endsWith("/project-creation")),
      "creation trigger",
    );
    expect(creationTrigger.body).toMatchObject({
      workflow: "project_creation",
      inspiration_id: inspiration.id,
    });

    // n8n creates the project and its task graph through the webhook.
    const created = data(
      await call("POST", `/api/webhooks/n8n/project_creation/${inspiration.id}`, {
        token: t.n8n,
        json: {
          status: "success",
          project: {
            name: "项目名称",
            project_type: "video_generation",
            initial_parameters: { style: "modern" },
          },
          tasks: [
            {
              task_type: "video_generation",
              status: "waiting",
              dependencies: [],
              commit_id: "task_commit_123",
            },
            {
              task_type: "audio_generation",
              status: "waiting",
              dependencies: [],
              commit_id: "task_commit_456",
            },
            {
              task_type: "merge",
              status: "waiting",
              dependencies: ["task_commit_123", "task_commit_456"],
              commit_id: "task_commit_789",
            },
          ],
          executionId: "n8n_exec_456",
        },
      }),
    );
    expect(created).toEqual({
      message: "Project created successfully",
      project_id: expect.any(Number),
      tasks_created: 3,
    });
    const project = data(await call("GET", `/projects/${created.project_id}`, { token: t.operator }));
    expect(project).toMatchObject({
      inspiration_id: inspiration.id,
      used_transform_workflow_id: "n8n_exec_456",
      status: "pending",
      total_tasks: 3,
    });
    expect(project.tasks.map((x: any) => [x.commit_id, x.status])).toEqual([
      ["task_commit_123", "pending"],
      ["task_commit_456", "pending"],
      ["task_commit_789", "waiting"],
    ]);

    // 3. A worker claims (task_types video_generation, audio_generation).
    const claimed = data(
      await call("POST", "/api/tasks/claim", {
        token: t.worker,
        json: { task_types: ["video_generation", "audio_generation"] },
      }),
    );
    expect(claimed).toMatchObject({
      task_type: "video_generation",
      status: "processing",
      project_id: created.project_id,
    });
    expect(data(await call("GET", `/projects/${created.project_id}`, { token: t.operator })).status).toBe(
      "processing",
    );

    // 4. Updates by commit id, the worker with its lease and the operator without.
    data(
      await call("PATCH", "/api/tasks/update-by-commit-id", {
        token: t.worker,
        json: {
          commit_id: "task_commit_123",
          status: "completed",
          task_output: { video_url: "https://example.com/video.mp4" },
          lease_token: claimed.lease_token,
        },
      }),
    );
    data(
      await call("PATCH", "/api/tasks/update-by-commit-id", {
        token: t.operator,
        json: {
          commit_id: "task_commit_456",
          status: "completed",
          task_output: { audio_url: "https://example.com/a.mp3" },
        },
      }),
    );
    // The merge task was released by its last dependency, in the same batch.
    const merge = data(
      await call("POST", "/api/tasks/claim", { token: t.worker, json: { task_types: ["merge"] } }),
    );
    expect(merge.commit_id).toBe("task_commit_789");
    const asset = data(
      await call("POST", "/api/assets", {
        token: t.worker,
        json: {
          name: "成片",
          asset_type: "video",
          storage_path: "/storage/videos/final.mp4",
          source: "ai_generated",
        },
      }),
    );
    data(
      await call("PATCH", `/api/tasks/${merge.id}`, {
        token: t.worker,
        json: { status: "completed", lease_token: merge.lease_token, task_output: { asset_id: asset.id } },
      }),
    );

    // 5. The project completed, with its counters rolled up and its final output.
    const finished = data(await call("GET", `/projects/${created.project_id}`, { token: t.operator }));
    expect(finished).toMatchObject({
      status: "completed",
      total_tasks: 3,
      completed_tasks: 3,
      failed_tasks: 0,
      output_asset_id: asset.id,
    });
  });
});
