import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import servedDocSnapshot from "../../sdk/openapi.json";
import {
  AuthenticationError,
  ConflictError,
  NotFoundError,
  PaymentRequiredError,
  PermissionDeniedError,
  type ProgressFrame,
  RateLimitError,
  ShortDramaClient,
  ShortDramaError,
  ValidationError,
} from "../../sdk/src/index";
import { completedEvent, sendEvent, uploadOutputs } from "../helpers/exports";
import { call, ORIGIN } from "../helpers/http";
import { fixture } from "../helpers/images";
import { server } from "../helpers/msw";
import { type FrameLog, framesHandler, type JobsLog, jobsHandlers } from "../helpers/renderer";
import { sdkClient, workerFetch, workerWebSocket } from "../helpers/sdk";
import { TWO_SCENE_SCRIPT, waitUntil } from "../helpers/workflows";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let counter = 0;
async function signedIn(client = sdkClient()) {
  counter++;
  const email = `sdk-${counter}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  await client.auth.register({ email, password: "SecurePassword123!", username: `sdk${counter}` });
  await client.auth.login({ email, password: "SecurePassword123!" });
  return client;
}

describe("the SDK's types come from the server's document", () => {
  it("sdk/openapi.json is what the Worker serves (run `npm run sdk:generate` after changing a schema)", async () => {
    const served = (await call("GET", "/api/openapi.json")).body;
    served.servers = [{ url: "http://localhost:8787" }];
    expect(served).toEqual(servedDocSnapshot);
  });
});

describe("the studio API through the SDK", () => {
  it("runs the README's JavaScript example: project, character from bytes, workflow watched, export waited for", async () => {
    const frames: FrameLog = { requests: [], failures: 0 };
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(framesHandler(frames), ...jobsHandlers(jobs));
    const client = await signedIn();
    const me = await client.auth.me();
    expect(me).toMatchObject({ subscription_tier: "free", quota_remaining: 100 });

    const project = await client.projects.create({
      name: "我的短剧",
      description: "一个有趣的故事",
      script: TWO_SCENE_SCRIPT,
      aspectRatio: "9:16",
    });
    expect(project).toMatchObject({ name: "我的短剧", aspect_ratio: "9:16" });
    const character = await client.characters.create({
      projectId: project.id,
      name: "主角",
      image: new Blob([fixture("rgb.png") as Uint8Array<ArrayBuffer>], { type: "image/png" }),
    });
    expect(character).toMatchObject({ name: "主角", project_id: project.id });
    expect(character.image_url).toMatch(/\/files\//);

    // The documented callback form, and the async iterator, on the same workflow.
    const workflow = await client.workflows.start({ projectId: project.id, workflowType: "storyboard" });
    const seen: number[] = [];
    const callback = client.workflows.watch(workflow.id, (update) => seen.push(update.progress));
    const iterated: ProgressFrame[] = [];
    for await (const frame of client.workflows.watch(workflow.id)) iterated.push(frame);
    const last = await callback.done;
    expect(iterated[0]?.type).toBe("snapshot");
    expect(iterated.at(-1)?.type).toBe("workflow_completed");
    expect(last?.type).toBe("workflow_completed");
    expect(seen.at(-1)).toBe(1);
    const seqs = iterated.filter((f) => f.type !== "snapshot").map((f) => f.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect((await client.workflows.get(workflow.id)).status).toBe("completed");
    const boards = await client.storyboards.list({ projectId: project.id });
    expect(boards.items).toHaveLength(2);

    const estimate = await client.export.estimate({ projectId: project.id, resolution: "720p" });
    expect(estimate.sufficient_quota).toBe(true);
    const started = await client.export.create(
      { projectId: project.id, resolution: "720p" },
      { idempotencyKey: "sdk-1" },
    );
    const again = await client.export.create(
      { projectId: project.id, resolution: "720p" },
      { idempotencyKey: "sdk-1" },
    );
    expect(again.export_id).toBe(started.export_id);
    await waitUntil(() => jobs.specs.length === 1, 20_000, "the dispatch");
    const spec = jobs.specs[0];
    if (!spec) throw new Error("no spec");
    const polls: string[] = [];
    const waiting = client.export.wait(started.export_id, {
      intervalMs: 100,
      onProgress: (e) => polls.push(e.status),
    });
    await sendEvent(spec.callback_url, completedEvent(await uploadOutputs(spec), estimate.video_length));
    const done = await waiting;
    expect(done).toMatchObject({ status: "completed", duration: estimate.video_length });
    expect(done.video_url).toMatch(/\/files\//);
    expect(polls.at(-1)).toBe("completed");
    expect((await client.export.history()).items[0]?.export_id).toBe(started.export_id);

    expect((await client.subscriptions.me()).quota_used).toBe(estimate.estimated_cost);
    const usage = await client.billing.usage();
    expect(usage.usage.video_exports).toBe(1);
    expect(await client.billing.invoices()).toEqual({ total: 0, items: [] });
  });

  it("falls back to Server-Sent Events and resumes after a dropped socket without repeating a frame", async () => {
    server.use(framesHandler({ requests: [], failures: 0 }));
    const opened: string[] = [];
    const base = await signedIn(
      new ShortDramaClient({
        baseUrl: ORIGIN,
        fetch: workerFetch(),
        webSocket: workerWebSocket({ dropAfter: 3, opened }),
      }),
    );
    const token = base.http.token;
    const project = await base.projects.create({ name: "重连", script: TWO_SCENE_SCRIPT });
    const wf = await base.workflows.start({ project_id: project.id, workflow_type: "storyboard" });
    const viaWs: ProgressFrame[] = [];
    for await (const f of base.workflows.watch(wf.id)) viaWs.push(f);
    expect(opened.length).toBeGreaterThanOrEqual(2);
    expect(opened[1]).toMatch(/last_seq=\d+/);
    const numbered = viaWs.filter((f) => f.type !== "snapshot").map((f) => f.seq);
    expect(new Set(numbered).size).toBe(numbered.length);
    expect(viaWs.at(-1)?.type).toBe("workflow_completed");

    // No WebSocket at all: the same frames over SSE.
    const sse = new ShortDramaClient({
      baseUrl: ORIGIN,
      fetch: workerFetch(),
      token,
      webSocket: () => {
        throw new Error("WebSocket is blocked here");
      },
    });
    // A finished workflow: its snapshot says so, and the watch ends there.
    const finished: ProgressFrame[] = [];
    for await (const f of sse.workflows.watch(wf.id)) finished.push(f);
    expect(finished.map((f) => [f.type, f.status])).toEqual([["snapshot", "completed"]]);
    const wf2 = await sse.workflows.start({ project_id: project.id, workflow_type: "storyboard" });
    const viaSse: ProgressFrame[] = [];
    for await (const f of sse.workflows.watch(wf2.id)) viaSse.push(f);
    expect(viaSse[0]?.type).toBe("snapshot");
    expect(viaSse.at(-1)?.type).toBe("workflow_completed");
    expect(viaSse.some((f) => f.type === "step_completed")).toBe(true);
  });

  it("throws typed errors carrying error_code, field errors and retry_after", async () => {
    const client = await signedIn();
    const other = await signedIn();
    const theirs = await other.projects.create({ name: "theirs" });

    const badKey = sdkClient({ apiKey: "sds_not_a_real_key" });
    const unauth = await badKey.projects.list().catch((e: unknown) => e);
    expect(unauth).toBeInstanceOf(AuthenticationError);
    expect(unauth).toMatchObject({ status: 401, errorCode: "UNAUTHORIZED" });

    const foreign = await client.projects.get(theirs.id).catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(NotFoundError);
    expect(foreign).toMatchObject({ status: 404, errorCode: "NOT_FOUND" });

    const invalid = await client.projects.create({ name: "" }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).errors.map((e) => e.field)).toContain("body.name");

    const mine = await client.projects.create({ name: "四千", description: "一场" });
    await client.storyboards.create({ projectId: mine.id, description: "长镜头", duration: 120 });
    for (let i = 0; i < 4; i++)
      await client.storyboards.create({ projectId: mine.id, description: `镜头${i}`, duration: 120 });
    const broke = await client.export
      .create({ projectId: mine.id, resolution: "4k" })
      .catch((e: unknown) => e);
    expect(broke).toBeInstanceOf(PaymentRequiredError);
    expect(broke).toMatchObject({ status: 402, errorCode: "QUOTA_EXCEEDED" });

    const twice = await client.subscriptions.upgrade({ tier: "free" }).catch((e: unknown) => e);
    expect(twice).toBeInstanceOf(ConflictError);
    // Billing: invoices carry where to pay (none here: nothing is owed), the plan's events, and the
    // operator endpoint is refused to a user outside ADMIN_EMAILS.
    expect(await client.billing.invoices()).toEqual({ total: 0, items: [] });
    expect(await client.billing.events()).toEqual({ total: 0, items: [] });
    const notOperator = await client.admin.markInvoicePaid(1, { reference: "x" }).catch((e: unknown) => e);
    expect(notOperator).toBeInstanceOf(PermissionDeniedError);
    expect(notOperator).toMatchObject({ status: 403, errorCode: "FORBIDDEN" });

    // Registrations from one address are limited (30 an hour): a real 429 with retry_after, and
    // the opt-in retry tries again after Retry-After (capped here at 1 s) before giving up.
    const log: string[] = [];
    const limited = new ShortDramaClient({
      baseUrl: ORIGIN,
      fetch: workerFetch(log, "203.0.113.77"),
      maxRateLimitRetries: 1,
      maxRetryWaitSeconds: 1,
    });
    let error: unknown;
    for (let i = 0; i < 32 && !error; i++) {
      error = await limited.auth
        .register({
          email: `rl-${i}-${crypto.randomUUID()}@example.com`,
          password: "SecurePassword123!",
          username: "rl",
        })
        .then(() => undefined)
        .catch((e: unknown) => e);
    }
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfter).toBeGreaterThan(0);
    expect((error as RateLimitError).errorCode).toBe("RATE_LIMIT_EXCEEDED");
    expect(log.length).toBe(32);
  });
});

describe("the automation API through the SDK", () => {
  it("lets an operator build a graph and a Python-free AI worker claim, heartbeat and complete it", async () => {
    const owner = await signedIn();
    const operatorKey = await owner.auth.createApiKey({ name: "ops", scopes: ["automation"] });
    const workerKey = await owner.auth.createApiKey({ name: "gpu-1", scopes: ["worker"] });
    const operator = sdkClient({ apiKey: operatorKey.key });
    const worker = sdkClient({ apiKey: workerKey.key });

    const project = await operator.automation.projects.create({
      name: "流水线",
      projectType: "video_generation",
      tasks: [
        { task_type: "image_generation", commit_id: "img" },
        { task_type: "video_generation", dependencies: ["img"] },
      ],
    });
    expect(project.tasks).toHaveLength(2);
    expect(await worker.tasks.claim({ taskTypes: ["video_generation"], workerId: "gpu-1" })).toBeNull();
    const claimed = await worker.tasks.claim({ taskTypes: ["image_generation"], workerId: "gpu-1" });
    if (!claimed) throw new Error("nothing claimed");
    expect(claimed.task_type).toBe("image_generation");
    const beat = await worker.tasks.heartbeat(claimed.id, { leaseToken: claimed.lease_token });
    expect(beat).toBeTruthy();
    const asset = await worker.automation.assets.create({ name: "frame", assetType: "image" });
    await worker.automation.assets.upload(asset.id, fixture("rgb.png"));
    expect(await worker.automation.assets.download(asset.id)).toEqual(fixture("rgb.png"));
    await worker.tasks.complete(claimed.id, claimed.lease_token, { asset_id: asset.id });
    const next = await worker.tasks.claim({ taskTypes: ["video_generation"], workerId: "gpu-1" });
    expect(next?.task_type).toBe("video_generation");
    const stale = await worker.tasks.complete(claimed.id, claimed.lease_token).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(ShortDramaError);
    expect((stale as ShortDramaError).code).toBe(400);

    const inspiration = await operator.inspirations.create({ title: "雨夜重逢" });
    expect((await operator.inspirations.approve(inspiration.id)).status).toBe("approved");
    const account = await operator.platformAccounts.create({
      platform: "runway",
      name: "main",
      credentials: { api_key: "k" },
    });
    expect((await operator.platformAccounts.list()).map((a) => a?.id)).toContain(account.id);
    const missing = await operator.automation.projects.get(999999).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    expect(missing).toMatchObject({ status: 404, code: 404 });
    const forbidden = await worker.automation.projects.list().catch((e: unknown) => e);
    expect(forbidden).toMatchObject({ status: 403, code: 403 });
    expect(env).toBeDefined();
  });
});
