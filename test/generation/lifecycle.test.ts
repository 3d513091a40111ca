import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createContext } from "../../worker/core/context";
import { INTERRUPTED, runGeneration } from "../../worker/core/generation/jobs";
import { data, newTenant, type Tenant } from "../helpers/automation";
import { call } from "../helpers/http";
import { encodePng, paint } from "../helpers/images";
import { server } from "../helpers/msw";
import { studioProject } from "../helpers/studio";
import { scenes, startWorkflow, until } from "../helpers/workflows";
import { CANARY, jobsOf, ledgerOf, openAiAccount, openAiImages, quotaUsed, type VendorLog } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const IMAGE = { platform: "openai", model: "gpt-image-1" };
const ended = (w: any) => ["completed", "failed", "cancelled"].includes(w.status);

async function storyboardRun(t: Tenant, n: number, options: Record<string, unknown> = {}) {
  const project = await studioProject(t.token, { script: scenes(n) });
  const wf = await startWorkflow(t.token, {
    project_id: project.id,
    workflow_type: "storyboard",
    options: { image: IMAGE, max_parallel: 10, ...options },
  });
  return { project, wf };
}

describe("quotas: one AccountQuota unit per call, the next account at zero", () => {
  it("two accounts with daily_limit 3 and 10 parallel items: exactly 6 calls, 4 items fail uncharged", async () => {
    const t = await newTenant("quota");
    await openAiAccount(t, 3, "openai_a");
    await openAiAccount(t, 3, "openai_b");
    const log: VendorLog = { requests: [] };
    server.use(openAiImages(log));
    const before = await quotaUsed(t.id);
    const { wf } = await storyboardRun(t, 10);
    const done = await until(t.token, wf.id, ended, 60_000);
    expect(done.status).toBe("failed");
    expect(log.requests).toHaveLength(6);
    const step = done.steps.find((s: any) => s.name === "storyboard_generation");
    expect(step.items).toMatchObject({ total: 10, completed: 6, failed: 4 });
    const { results: failed } = await env.DB.prepare(
      "SELECT error_message FROM tasks WHERE workflow_id = ? AND status = 'failed' AND parent_task_id IS NOT NULL",
    )
      .bind(wf.id)
      .all<{ error_message: string }>();
    expect(failed).toHaveLength(4);
    for (const f of failed) expect(f.error_message).toContain("platform quota exhausted");
    const jobs = await jobsOf(t.id);
    expect(jobs.filter((j) => j.error_code === "quota_exhausted" && j.money === "none")).toHaveLength(4);
    // Six images charged, nothing for the four; the rest of the reservation came back at the end.
    expect((await quotaUsed(t.id)) - before).toBe(6 * 50);
    expect(done.credits).toMatchObject({ charged: 3, reserved: 0 });
  });
});

describe("money", () => {
  it("a provider refusing every image refunds each failed item once and charges nothing", async () => {
    const t = await newTenant("refund");
    await openAiAccount(t);
    const log: VendorLog = { requests: [] };
    // OpenAI's error object (https://platform.openai.com/docs/guides/error-codes): a 400 safety refusal.
    server.use(
      openAiImages(log, () =>
        HttpResponse.json(
          {
            error: {
              message: "Your request was rejected as a result of our safety system.",
              type: "invalid_request_error",
              code: "content_policy_violation",
              param: null,
            },
          },
          { status: 400 },
        ),
      ),
    );
    const before = await quotaUsed(t.id);
    const { wf } = await storyboardRun(t, 2);
    const done = await until(t.token, wf.id, ended, 60_000);
    expect(done.status).toBe("failed");
    expect(log.requests).toHaveLength(2);
    const ledger = await ledgerOf(t.id);
    const jobIds = (await jobsOf(t.id)).map((j) => j.id);
    for (const id of jobIds) {
      expect(ledger.filter((l) => l.generation_job_id === id && l.kind === "refund")).toHaveLength(1);
      expect(ledger.filter((l) => l.generation_job_id === id && l.kind === "commit")).toHaveLength(0);
    }
    expect(await quotaUsed(t.id)).toBe(before);
    expect(done.credits.charged).toBe(0);
  });

  it("max_credits pauses the workflow with a reason before the item that would pass it", async () => {
    const t = await newTenant("cap");
    await openAiAccount(t);
    const log: VendorLog = { requests: [] };
    server.use(openAiImages(log));
    const before = await quotaUsed(t.id);
    const { wf } = await storyboardRun(t, 3, { max_credits: 1, max_parallel: 1 });
    const paused = await until(t.token, wf.id, (w) => w.status === "paused" || ended(w), 60_000);
    expect(paused.status).toBe("paused");
    expect(paused.error).toContain("max_credits");
    expect(log.requests).toHaveLength(2);
    const cancelled = await call("POST", `/api/v1/workflows/${wf.id}/cancel`, { token: t.token });
    expect(cancelled.status).toBe(200);
    const end = await until(t.token, wf.id, (w) => w.status === "cancelled" && w.credits.reserved === 0);
    expect(end.credits.charged).toBe(1);
    expect((await quotaUsed(t.id)) - before).toBe(100);
  });

  it("a 429 backs off and the retry succeeds: two requests, charged once", async () => {
    const t = await newTenant("ratelimit");
    await openAiAccount(t);
    const log: VendorLog = { requests: [] };
    server.use(
      openAiImages(log, (n) =>
        n === 0
          ? HttpResponse.json(
              {
                error: {
                  message: "Rate limit reached for images",
                  type: "requests",
                  code: "rate_limit_exceeded",
                },
              },
              { status: 429, headers: { "retry-after": "1" } },
            )
          : undefined,
      ),
    );
    const before = await quotaUsed(t.id);
    const { wf } = await storyboardRun(t, 1);
    const done = await until(t.token, wf.id, ended, 60_000);
    expect(done.status).toBe("completed");
    expect(log.requests).toHaveLength(2);
    const jobs = await jobsOf(t.id);
    expect(jobs.map((j) => [j.attempt, j.state, j.money, j.error_code])).toEqual([
      [1, "failed", "refunded", "rate_limited"],
      [2, "succeeded", "charged", null],
    ]);
    expect((await quotaUsed(t.id)) - before).toBe(50);
  });
});

describe("durable jobs resume from their row", () => {
  async function setup(prefix: string) {
    const t = await newTenant(prefix);
    await openAiAccount(t);
    return t;
  }
  const callFor = (t: Tenant, taskId: number, platform: "openai" | "runway" = "openai") => ({
    ownerId: t.id,
    workflowId: null,
    taskId,
    take: 0,
    kind: "image" as const,
    subject: "storyboard:1",
    platform,
    model: platform === "openai" ? "gpt-image-1" : "gen4_image",
    price: 0,
    label: "test image",
    maxCredits: null,
    request: {
      model: platform === "openai" ? "gpt-image-1" : "gen4_image",
      prompt: "a rainy street",
      width: 720,
      height: 1280,
    },
    store: async () => ({ key: "k", content_type: "image/png", width: 32, height: 48, bytes: 1 }),
  });

  it("a redelivered message (or a restarted Worker) finds the succeeded job: no second submit", async () => {
    const t = await setup("redeliver");
    const log: VendorLog = { requests: [] };
    server.use(openAiImages(log));
    const first = await runGeneration(createContext(env), callFor(t, 900_001));
    const again = await runGeneration(createContext(env), callFor(t, 900_001));
    expect(first.state).toBe("done");
    expect(again.state).toBe("done");
    expect(log.requests).toHaveLength(1);
  });

  it("a job left submitting by a crash is failed with the reason, never sent again", async () => {
    const t = await setup("crash");
    const log: VendorLog = { requests: [] };
    server.use(openAiImages(log));
    await env.DB.prepare(
      `INSERT INTO generation_jobs (owner_id, task_id, attempt, take, kind, subject, platform, model, request_hash, state,
         money, quoted_cost, created_at, updated_at)
       VALUES (?, 900002, 1, 0, 'image', 'storyboard:1', 'openai', 'gpt-image-1', 'h', 'submitting', 'none', 0, 1, 1)`,
    )
      .bind(t.id)
      .run();
    const out = await runGeneration(createContext(env), callFor(t, 900_002));
    expect(out).toMatchObject({ state: "failed", reason: INTERRUPTED });
    expect(log.requests).toHaveLength(0);
  });

  it("an async vendor (Runway): submit, then polls from fresh invocations until done, one submit", async () => {
    const t = await setup("async");
    data(
      await call("POST", "/api/platform-accounts", {
        token: t.operator,
        json: { platform: "runway", name: "runway_1", credentials: { api_key: CANARY }, daily_limit: 10 },
      }),
    );
    // Runway API (https://docs.dev.runwayml.com/api/#tag/Start-generating/paths/~1v1~1text_to_image/post):
    // POST /v1/text_to_image → {id}; GET /v1/tasks/{id} → {status, output: [url]}.
    const base = "https://api.dev.runwayml.com/v1";
    let submits = 0;
    let polls = 0;
    // 9:16, the shape a 720×1280 shot asks Runway for.
    const png = await encodePng(paint(36, 64, (x, y) => [x * 7, y * 4, 90]));
    server.use(
      http.post(`${base}/text_to_image`, () => {
        submits++;
        return HttpResponse.json({ id: "task-gen-1" });
      }),
      http.get(`${base}/tasks/task-gen-1`, () => {
        polls++;
        return HttpResponse.json(
          polls < 2
            ? { id: "task-gen-1", status: "RUNNING" }
            : {
                id: "task-gen-1",
                status: "SUCCEEDED",
                output: ["https://dnznrvs05pmza.cloudfront.net/gen.png"],
              },
        );
      }),
      http.get("https://dnznrvs05pmza.cloudfront.net/gen.png", () => new HttpResponse(png)),
    );
    const outcomes = [];
    for (let i = 0; i < 3; i++)
      outcomes.push((await runGeneration(createContext(env), callFor(t, 900_003, "runway"))).state);
    expect(outcomes).toEqual(["wait", "wait", "done"]);
    expect(submits).toBe(1);
    expect(polls).toBe(2);
    const [job] = await jobsOf(t.id);
    expect(job).toMatchObject({ state: "succeeded", provider_job_id: expect.any(String) });
    expect(JSON.stringify(job)).not.toContain(CANARY);
  });
});

describe("providers and platforms", () => {
  it("GET /api/v1/providers lists platforms, kinds, models, prices and reachability; platforms/list grows", async () => {
    const t = await newTenant("providers");
    const res = await call("GET", "/api/v1/providers", { token: t.token });
    expect(res.status).toBe(200);
    const openai = res.body.items.find((p: any) => p.platform === "openai");
    expect(openai.models).toContainEqual({
      kind: "image",
      model: "gpt-image-1",
      default: true,
      unit: "image",
      price: 0.5,
    });
    expect(openai.generated_here).toEqual(["image"]);
    const mj = res.body.items.find((p: any) => p.platform === "midjourney");
    expect(mj).toMatchObject({ external_only: true, generated_here: [] });
    expect(res.body.items.find((p: any) => p.platform === "workers_ai").reachable).toBe(false);
    const list = data(await call("GET", "/api/platform-accounts/platforms/list", { token: t.operator }));
    expect(list.slice(0, 3)).toEqual(["dreamina", "midjourney", "runway"]);
    expect(list).toEqual(res.body.items.map((p: any) => p.platform));
  });

  it("an unknown platform or model is refused at the start with a 422, and nothing starts", async () => {
    const t = await newTenant("badprovider");
    const project = await studioProject(t.token, { script: scenes(1) });
    for (const image of [
      { platform: "nope" },
      { platform: "openai", model: "dall-e-9" },
      { platform: "midjourney" },
    ]) {
      const res = await call("POST", "/api/v1/workflows", {
        token: t.token,
        json: { project_id: project.id, workflow_type: "storyboard", options: { image } },
      });
      expect(res.status).toBe(422);
      expect(res.body.error_code).toBe("VALIDATION_ERROR");
    }
    const list = await call("GET", `/api/v1/workflows?project_id=${project.id}`, { token: t.token });
    expect(list.body.total).toBe(0);
  });
});
