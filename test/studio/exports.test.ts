import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import worker from "../../worker/index";
import {
  completedEvent,
  exportableProject,
  exportIdOf,
  OUTPUT_BYTES,
  sendEvent,
  upload,
  uploadOutputs,
} from "../helpers/exports";
import { call, expectStudioError, newUser } from "../helpers/http";
import { fixture } from "../helpers/images";
import { server } from "../helpers/msw";
import { type JobsLog, jobsHandlers } from "../helpers/renderer";
import { rowCount, storedKeys } from "../helpers/studio";
import { until, waitUntil, watch } from "../helpers/workflows";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function ledger(exportId: number) {
  const rows = await env.DB.prepare("SELECT kind, amount FROM credit_ledger WHERE export_id = ? ORDER BY id")
    .bind(exportId)
    .all<{ kind: string; amount: number }>();
  return rows.results.map((r) => `${r.kind}:${r.amount}`);
}

async function quotaRemaining(token: string): Promise<number> {
  return (await call("GET", "/api/v1/auth/me", { token })).body.quota_remaining;
}

/** An export started through the API and dispatched to the (stubbed) renderer. */
async function startedExport(
  jobs: JobsLog,
  token: string,
  durations = [10, 10],
  body: Record<string, unknown> = {},
) {
  const project = await exportableProject(token, durations);
  const res = await call("POST", "/api/v1/export", {
    token,
    json: { project_id: project.id, resolution: "720p", ...body },
  });
  if (res.status !== 200) throw new Error(`export failed ${res.status} ${res.text}`);
  const id = res.body.export_id as number;
  await waitUntil(() => jobs.specs.some((s) => s.render_id === `export-${id}`), 20_000, "the dispatch");
  const spec = jobs.specs.find((s) => s.render_id === `export-${id}`);
  if (!spec) throw new Error("no spec");
  return { project, started: res.body, id, spec };
}

describe("the documented export flow", () => {
  it("estimates, exports once per Idempotency-Key, streams progress, completes from uploads and callbacks, and serves seekable files", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    // 61 + 60 + 60 seconds with two 0.5 s crossfades: 180 s of video.
    const project = await exportableProject(user.token, [61, 60, 60], { aspect_ratio: "9:16" });

    const estimate = await call("POST", "/api/v1/export/estimate", {
      token: user.token,
      json: { project_id: project.id, resolution: "1080p" },
    });
    expect(estimate.status).toBe(200);
    expect(estimate.body).toMatchObject({
      project_id: project.id,
      estimated_cost: 50.0,
      video_length: 180,
      user_quota_remaining: 100,
      sufficient_quota: true,
    });
    // From the renderer's measured speed (RENDER_X_REALTIME_1080P), not a constant.
    expect(estimate.body.estimated_duration).toBe(Math.ceil(5 + 180 / Number(env.RENDER_X_REALTIME_1080P)));
    const at4k = await call("POST", "/api/v1/export/estimate", {
      token: user.token,
      json: { project_id: project.id, resolution: "4k" },
    });
    expect(at4k.body).toMatchObject({ estimated_cost: 130.0, sufficient_quota: false });
    expect(at4k.body.estimated_duration).toBeGreaterThan(estimate.body.estimated_duration);

    const request = { project_id: project.id, resolution: "1080p", format: "mp4", include_subtitles: true };
    const first = await call("POST", "/api/v1/export", {
      token: user.token,
      json: request,
      headers: { "Idempotency-Key": "export-1" },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      project_id: project.id,
      status: "processing",
      progress: 0,
      estimated_cost: 50.0,
    });
    expect(first.body.workflow_id).toEqual(expect.any(Number));
    expect(Date.parse(first.body.estimated_completion)).toBeGreaterThan(Date.now());
    const again = await call("POST", "/api/v1/export", {
      token: user.token,
      json: request,
      headers: { "Idempotency-Key": "export-1" },
    });
    expect(again.body).toEqual(first.body);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await quotaRemaining(user.token)).toBe(50);
    const id = first.body.export_id as number;

    // Dispatched once through the queue, as a spec the renderer accepts: text cards for scenes without images.
    await waitUntil(() => jobs.specs.length === 1, 20_000, "the dispatch");
    const spec = jobs.specs[0];
    if (!spec) throw new Error("no spec");
    expect(spec).toMatchObject({ render_id: `export-${id}`, resolution: "1080p", aspect_ratio: "9:16" });
    expect(spec.scenes.map((s) => [s.text, s.caption, s.duration, s.image_url])).toEqual([
      ["第1场：湖边", "小明：第1句。", 61, undefined],
      ["第2场：湖边", "小明：第2句。", 60, undefined],
      ["第3场：湖边", "小明：第3句。", 60, undefined],
    ]);
    expect(spec.callback_url).toMatch(new RegExp(`/internal/renders/${id}/events$`));

    const ws = await watch(user.token, first.body.workflow_id);
    const progress = await sendEvent(spec.callback_url, {
      type: "progress",
      progress: 0.4,
      stage: "rendering",
    });
    expect(progress.status).toBe(200);
    const frame = await ws.waitFor((f) => f.type === "export_progress");
    expect(frame).toMatchObject({ export_id: id, export_progress: 0.4, stage: "rendering" });
    // An older progress event arriving late never moves progress back.
    await sendEvent(spec.callback_url, { type: "progress", progress: 0.2, stage: "rendering" });
    expect((await call("GET", `/api/v1/export/${id}`, { token: user.token })).body).toMatchObject({
      status: "processing",
      progress: 0.4,
      video_url: null,
    });

    const outputs = await uploadOutputs(spec);
    const done = await sendEvent(spec.callback_url, completedEvent(outputs, 180));
    expect(done.body).toEqual({ ok: true, applied: true });
    // The renderer retries until it hears 2xx: the same completion again commits nothing more.
    const twice = await sendEvent(spec.callback_url, completedEvent(outputs, 180));
    expect(twice.body).toEqual({ ok: true, applied: false });
    await ws.waitFor((f) => f.type === "workflow_completed");
    ws.close();

    const got = await call("GET", `/api/v1/export/${id}`, { token: user.token });
    expect(got.body).toMatchObject({
      export_id: id,
      status: "completed",
      progress: 1,
      file_size: OUTPUT_BYTES.video().byteLength,
      duration: 180,
      resolution: "1080p",
      format: "mp4",
      cost: 50,
      error: null,
    });
    for (const url of ["video_url", "subtitle_url", "vtt_url", "poster_url", "contact_sheet_url"])
      expect(got.body[url]).toMatch(/^https:\/\/api\.test\/files\/users\//);
    expect(Date.parse(got.body.completed_at)).toBeGreaterThan(0);

    // A browser <video> seeks with Range.
    const path = new URL(got.body.video_url).pathname + new URL(got.body.video_url).search;
    const ranged = await exports.default.fetch(
      new Request(`https://api.test${path}`, { headers: { Range: "bytes=0-99" } }),
    );
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get("content-type")).toBe("video/mp4");
    expect(ranged.headers.get("content-range")).toBe(`bytes 0-99/${OUTPUT_BYTES.video().byteLength}`);
    expect(new Uint8Array(await ranged.arrayBuffer())).toEqual(OUTPUT_BYTES.video().slice(0, 100));
    const whole = await exports.default.fetch(new Request(`https://api.test${path}`));
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(OUTPUT_BYTES.video());
    const subtitles = new URL(got.body.subtitle_url);
    const srt = await exports.default.fetch(
      new Request(`https://api.test${subtitles.pathname}${subtitles.search}`),
    );
    expect(await srt.text()).toContain("小明：今天天气真好。");

    const history = await call("GET", "/api/v1/export/history", { token: user.token });
    expect(history.body.total).toBe(1);
    expect(history.body.items[0]).toMatchObject({
      export_id: id,
      project_id: project.id,
      project_name: "测试短剧",
      status: "completed",
      resolution: "1080p",
    });
    expect(history.body.items[0].video_url).toMatch(/\/files\//);

    // Charged once: reserved, then committed; the project and its render workflow are complete.
    expect(await ledger(id)).toEqual(["reserve:-5000", "commit:0"]);
    expect(await quotaRemaining(user.token)).toBe(50);
    expect((await call("GET", `/api/v1/projects/${project.id}`, { token: user.token })).body.status).toBe(
      "completed",
    );
    const wf = await until(user.token, first.body.workflow_id, (w) => w.status === "completed");
    expect(wf).toMatchObject({ workflow_type: "render", progress: 1 });
    expect(await rowCount("usage_events", "owner_id = ? AND ref = ?", user.id, `export:${id}`)).toBe(2);
    expect(await storedKeys(user.id)).toHaveLength(5);
  });

  it("refuses what cannot be exported: no storyboards, another user's project, bad fields, foreign ids", async () => {
    const user = await newUser();
    const other = await newUser();
    const empty = await exportableProject(user.token, []);
    const none = await call("POST", "/api/v1/export", {
      token: user.token,
      json: { project_id: empty.id, resolution: "720p" },
    });
    expect(expectStudioError(none, 400, "BAD_REQUEST").detail).toMatch(/no storyboards/);
    const theirs = await exportableProject(other.token, [5]);
    expectStudioError(
      await call("POST", "/api/v1/export", { token: user.token, json: { project_id: theirs.id } }),
      404,
      "NOT_FOUND",
    );
    expectStudioError(
      await call("POST", "/api/v1/export/estimate", { token: user.token, json: { project_id: theirs.id } }),
      404,
      "NOT_FOUND",
    );
    const bad = await call("POST", "/api/v1/export", {
      token: user.token,
      json: { project_id: empty.id, resolution: "8k", format: "gif", include_subtitles: "yes" },
    });
    expect(
      expectStudioError(bad, 422, "VALIDATION_ERROR")
        .errors?.map((e) => e.field)
        .sort(),
    ).toEqual(["body.format", "body.include_subtitles", "body.resolution"]);
    const mine = await exportableProject(user.token, [5]);
    const noMusic = await call("POST", "/api/v1/export", {
      token: user.token,
      json: { project_id: mine.id, music_asset_id: 999999 },
    });
    expect(expectStudioError(noMusic, 400, "BAD_REQUEST").detail).toMatch(/music_asset_id/);
    expectStudioError(await call("GET", "/api/v1/export/999999", { token: user.token }), 404, "NOT_FOUND");
    expectStudioError(await call("GET", "/api/v1/export/abc", { token: user.token }), 404, "NOT_FOUND");
    expect(await rowCount("exports", "owner_id = ?", user.id)).toBe(0);
    expect(await rowCount("workflows", "owner_id = ?", user.id)).toBe(0);
    expect(await quotaRemaining(user.token)).toBe(100);
    expect((await call("GET", "/api/v1/export/history", { token: user.token })).body).toEqual({
      total: 0,
      items: [],
    });
  });
});

describe("credits under concurrency", () => {
  it("admits exactly 10 of 100 parallel exports whose quota covers 10, and 402s the other 90", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    // Professional: 2000 credits and 1000 requests an hour (the free tier's 100 would rate-limit first).
    const upgraded = await call("POST", "/api/v1/subscriptions/upgrade", {
      token: user.token,
      json: { tier: "professional", billing_cycle: "monthly" },
    });
    expect(upgraded.status).toBe(200);
    // 96 + 95 + 95 − 1 = 285 s at 4k = 10 + 40 × 4.75 = 200.00 credits: 10 fit in 2000.
    const project = await exportableProject(user.token, [96, 95, 95]);
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        call("POST", "/api/v1/export", {
          token: user.token,
          json: { project_id: project.id, resolution: "4k" },
        }),
      ),
    );
    const statuses = results.map((r) => r.status);
    const odd = results.filter((r) => r.status !== 200 && r.status !== 402);
    expect(odd.map((r) => r.text)).toEqual([]);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 402)).toHaveLength(90);
    for (const r of results.filter((x) => x.status === 402)) {
      expect(expectStudioError(r, 402, "QUOTA_EXCEEDED").detail).toMatch(/Not enough credits/);
    }
    const sub = await call("GET", "/api/v1/subscriptions/me", { token: user.token });
    expect(sub.body).toMatchObject({ quota_total: 2000, quota_used: 2000, quota_remaining: 0 });
    expect(await rowCount("exports", "owner_id = ?", user.id)).toBe(10);
    expect(await rowCount("credit_ledger", "owner_id = ? AND kind = 'reserve'", user.id)).toBe(10);
    // Refused exports leave no workflow, pipeline project or task behind.
    expect(await rowCount("workflows", "owner_id = ?", user.id)).toBe(10);
    expect(await rowCount("tasks", "owner_id = ?", user.id)).toBe(10);
    await waitUntil(() => jobs.specs.length === 10, 30_000, "ten dispatches");
    expect(new Set(jobs.specs.map((s) => s.render_id)).size).toBe(10);
  });
});

describe("one Idempotency-Key, many requests at once", () => {
  it("charges once: the first runs, the rest are 409 while it runs or replay its answer", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const project = await exportableProject(user.token, [10, 10]);
    const send = () =>
      call("POST", "/api/v1/export", {
        token: user.token,
        json: { project_id: project.id, resolution: "720p" },
        headers: { "Idempotency-Key": "same-click" },
      });
    const results = await Promise.all(Array.from({ length: 8 }, send));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(expectStudioError(r, 409, "CONFLICT").detail).toMatch(/in progress/);
    }
    expect(new Set(ok.map((r) => r.body.export_id)).size).toBe(1);
    const later = await send();
    expect(later.body).toEqual(ok[0]?.body);
    expect(await rowCount("exports", "owner_id = ?", user.id)).toBe(1);
    expect(await quotaRemaining(user.token)).toBe(100 - (ok[0]?.body.estimated_cost ?? 0));
  });
});

describe("renders that fail, never start, or are cancelled", () => {
  it("a render the renderer reports failed ends failed and is refunded once", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { id, spec, started } = await startedExport(jobs, user.token);
    expect(await quotaRemaining(user.token)).toBe(100 - started.estimated_cost);
    const failed = await sendEvent(spec.callback_url, {
      type: "failed",
      error: "ffmpeg exited with code 1",
      retryable: false,
    });
    expect(failed.body).toEqual({ ok: true, applied: true });
    const replay = await sendEvent(spec.callback_url, { type: "failed", error: "again", retryable: false });
    expect(replay.body).toEqual({ ok: true, applied: false });
    // A completion after the failure changes nothing either.
    const outputs = await uploadOutputs(spec);
    expect((await sendEvent(spec.callback_url, completedEvent(outputs, 19))).body).toEqual({
      ok: true,
      applied: false,
    });
    const got = await call("GET", `/api/v1/export/${id}`, { token: user.token });
    expect(got.body).toMatchObject({ status: "failed", error: "ffmpeg exited with code 1", video_url: null });
    expect(await ledger(id)).toEqual([
      `reserve:${-started.estimated_cost * 100}`,
      `refund:${started.estimated_cost * 100}`,
    ]);
    expect(await quotaRemaining(user.token)).toBe(100);
    const wf = await until(user.token, started.workflow_id, (w) => w.status === "failed");
    expect(wf.error ?? JSON.stringify(wf.steps)).toMatch(/ffmpeg exited/);
    expectStudioError(
      await call("POST", `/api/v1/export/${id}/cancel`, { token: user.token }),
      409,
      "CONFLICT",
    );
  });

  it("duplicate deliveries of a dispatch start one render", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { id } = await startedExport(jobs, user.token);
    const outbox = await env.DB.prepare("SELECT id FROM outbox WHERE dedupe_key = ?")
      .bind(`render_dispatch:${id}`)
      .first<{ id: number }>();
    const batch = createMessageBatch("short-drama-jobs", [
      { id: "a", timestamp: new Date(), attempts: 1, body: { kind: "outbox", id: outbox?.id } },
      { id: "b", timestamp: new Date(), attempts: 2, body: { kind: "outbox", id: outbox?.id } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(["a", "b"]);
    expect(jobs.specs.filter((s) => s.render_id === `export-${id}`)).toHaveLength(1);
  });

  it("a refund after the quota month rolled over leaves the new month's usage alone", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { id, spec } = await startedExport(jobs, user.token);
    // The month ended while rendering: usage reset, and 10 credits spent in the new month since.
    await env.DB.prepare(
      "UPDATE subscriptions SET quota_used = 1000, current_period_start = ? WHERE user_id = ?",
    )
      .bind(Date.now() + 1, user.id)
      .run();
    await sendEvent(spec.callback_url, { type: "failed", error: "boom", retryable: false });
    expect((await call("GET", `/api/v1/export/${id}`, { token: user.token })).body.status).toBe("failed");
    const row = await env.DB.prepare("SELECT quota_used FROM subscriptions WHERE user_id = ?")
      .bind(user.id)
      .first<{ quota_used: number }>();
    expect(row?.quota_used).toBe(1000);
    expect(await ledger(id)).toHaveLength(2);
  });

  it("a spec the renderer refuses fails the export at once and refunds it", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs, { status: 400 }));
    const user = await newUser();
    const project = await exportableProject(user.token, [5]);
    const res = await call("POST", "/api/v1/export", { token: user.token, json: { project_id: project.id } });
    const id = res.body.export_id;
    await waitUntil(
      async () => (await call("GET", `/api/v1/export/${id}`, { token: user.token })).body.status === "failed",
      20_000,
      "the failure",
    );
    expect((await call("GET", `/api/v1/export/${id}`, { token: user.token })).body.error).toMatch(
      /renderer refused/,
    );
    expect(await ledger(id)).toEqual([
      `reserve:${-res.body.estimated_cost * 100}`,
      `refund:${res.body.estimated_cost * 100}`,
    ]);
    expect(await quotaRemaining(user.token)).toBe(100);
  });

  it("a renderer whose host lacks ffmpeg: the dispatch is retried and its reason is recorded", async () => {
    server.use(...jobsHandlers({ specs: [], cancels: [] }, { unavailable: ["ffmpeg (ffmpeg: not found)"] }));
    const user = await newUser();
    const project = await exportableProject(user.token, [5]);
    const res = await call("POST", "/api/v1/export", { token: user.token, json: { project_id: project.id } });
    const id = res.body.export_id as number;
    const row = () =>
      env.DB.prepare("SELECT attempts, last_error FROM outbox WHERE dedupe_key = ?")
        .bind(`render_dispatch:${id}`)
        .first<{ attempts: number; last_error: string | null }>();
    await waitUntil(async () => ((await row())?.attempts ?? 0) >= 1, 20_000, "the first attempt");
    expect((await row())?.last_error).toContain(
      "The renderer answered 503 to a render job: the renderer cannot render on this host, missing: ffmpeg (ffmpeg: not found); it will be retried",
    );
    // Waiting, not failed: the credits stay reserved and nothing is settled yet.
    expect(await ledger(id)).toEqual([`reserve:${-res.body.estimated_cost * 100}`]);
  });

  it("a renderer down for the whole retry budget: retried with backoff, dead-lettered, failed and refunded once", async () => {
    server.use(...jobsHandlers({ specs: [], cancels: [] }, { down: true }));
    const user = await newUser();
    const project = await exportableProject(user.token, [5]);
    const res = await call("POST", "/api/v1/export", { token: user.token, json: { project_id: project.id } });
    const id = res.body.export_id as number;
    // Watchers see that the render waits for the renderer rather than silence.
    const ws = await watch(user.token, res.body.workflow_id);
    const waiting = await ws.waitFor((f) => f.type === "export_progress" && f.stage === "waiting");
    expect(waiting.message).toMatch(/Waiting for the renderer/);
    ws.close();
    const outbox = await env.DB.prepare("SELECT id FROM outbox WHERE dedupe_key = ?")
      .bind(`render_dispatch:${id}`)
      .first<{ id: number }>();
    // The queue's own first delivery fails; the later deliveries are driven here (the test queue
    // would wait out the real backoff), then the message lands in the dead-letter queue.
    await waitUntil(
      async () => (await rowCount("outbox", "id = ? AND attempts >= 1", outbox?.id)) === 1,
      20_000,
      "the first attempt",
    );
    for (let attempt = 2; attempt <= 6; attempt++) {
      const batch = createMessageBatch("short-drama-jobs", [
        {
          id: `m${attempt}`,
          timestamp: new Date(),
          attempts: attempt,
          body: { kind: "outbox", id: outbox?.id },
        },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      const result = await getQueueResult(batch, ctx);
      // Either it tried and asked for a retry, or the queue's own redelivery held the row just then.
      expect(result.retryMessages.length + result.explicitAcks.length).toBe(1);
    }
    expect((await call("GET", `/api/v1/export/${id}`, { token: user.token })).body.status).toBe("processing");
    for (let i = 0; i < 2; i++) {
      // Delivered twice to the dead-letter queue: compensated once.
      const dead = createMessageBatch("short-drama-jobs-dlq", [
        { id: "d1", timestamp: new Date(), attempts: 1, body: { kind: "outbox", id: outbox?.id } },
      ]);
      const ctx = createExecutionContext();
      await worker.queue(dead, env, ctx);
      expect((await getQueueResult(dead, ctx)).explicitAcks).toEqual(["d1"]);
    }
    const got = await call("GET", `/api/v1/export/${id}`, { token: user.token });
    expect(got.body).toMatchObject({ status: "failed" });
    expect(got.body.error).toMatch(/could not be reached after \d+ attempts/);
    expect(await ledger(id)).toEqual([
      `reserve:${-res.body.estimated_cost * 100}`,
      `refund:${res.body.estimated_cost * 100}`,
    ]);
    expect(await quotaRemaining(user.token)).toBe(100);
  });

  it("a cancel mid-render: cancelled, refunded once, the renderer told, and a late completion refused", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { id, spec, started } = await startedExport(jobs, user.token);
    await sendEvent(spec.callback_url, { type: "progress", progress: 0.3, stage: "rendering" });
    const cancelled = await call("POST", `/api/v1/export/${id}/cancel`, { token: user.token });
    expect(cancelled.body).toEqual({
      export_id: id,
      status: "cancelled",
      message: "Export cancelled successfully",
    });
    const twice = await call("POST", `/api/v1/export/${id}/cancel`, { token: user.token });
    expect(twice.body.status).toBe("cancelled");
    await waitUntil(() => jobs.cancels.includes(`export-${id}`), 20_000, "the renderer's cancel");
    // The renderer's own cancelled event and a completion that raced the cancel change nothing.
    expect((await sendEvent(spec.callback_url, { type: "cancelled" })).body).toEqual({
      ok: true,
      applied: false,
    });
    const outputs = await uploadOutputs(spec);
    expect((await sendEvent(spec.callback_url, completedEvent(outputs, 19))).body).toEqual({
      ok: true,
      applied: false,
    });
    expect((await call("GET", `/api/v1/export/${id}`, { token: user.token })).body).toMatchObject({
      status: "cancelled",
      video_url: null,
    });
    expect(await ledger(id)).toEqual([
      `reserve:${-started.estimated_cost * 100}`,
      `refund:${started.estimated_cost * 100}`,
    ]);
    expect(await quotaRemaining(user.token)).toBe(100);
    await until(user.token, started.workflow_id, (w) => w.status === "cancelled");
  });

  it("the cron fails and refunds a render that went silent past its estimate", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { id, started } = await startedExport(jobs, user.token);
    const { runScheduled } = await import("../../worker/entries/scheduled");
    const soon = await runScheduled(env, Date.now() + 60_000);
    expect(soon.exportsFailed).toBe(0);
    const later = await runScheduled(env, Date.now() + 2 * 3600_000);
    expect(later.exportsFailed).toBeGreaterThanOrEqual(1);
    expect((await call("GET", `/api/v1/export/${id}`, { token: user.token })).body.error).toMatch(
      /reported nothing/,
    );
    expect(await ledger(id)).toEqual([
      `reserve:${-started.estimated_cost * 100}`,
      `refund:${started.estimated_cost * 100}`,
    ]);
    await waitUntil(() => jobs.cancels.includes(`export-${id}`), 20_000, "the renderer's cancel");
  });
});

describe("the renderer's endpoints refuse what is not theirs", () => {
  it("completion for a missing or short object is refused and settles nothing", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { id, spec } = await startedExport(jobs, user.token);
    const video = OUTPUT_BYTES.video();
    const claimed = { url: spec.outputs.video.url, size: video.byteLength, content_type: "video/mp4" };
    const missing = await sendEvent(spec.callback_url, completedEvent({ video: claimed }, 19));
    expect(expectStudioError(missing, 409, "CONFLICT").detail).toMatch(/missing from storage/);
    // Stored, but shorter than reported.
    expect((await upload(spec.outputs.video.url, video.slice(0, 1000))).status).toBe(200);
    const short = await sendEvent(spec.callback_url, completedEvent({ video: claimed }, 19));
    expect(expectStudioError(short, 409, "CONFLICT").detail).toMatch(/1000 bytes in storage/);
    // An upload URL that belongs to no output of this export.
    const other = await startedExport(jobs, user.token);
    const foreign = await sendEvent(
      spec.callback_url,
      completedEvent({ video: { ...claimed, url: other.spec.outputs.video.url } }, 19),
    );
    expect(expectStudioError(foreign, 409, "CONFLICT").detail).toMatch(/not uploaded for this export/);
    expect((await call("GET", `/api/v1/export/${id}`, { token: user.token })).body.status).toBe("processing");
    expect(await ledger(id)).toEqual([expect.stringMatching(/^reserve:/)]);
  });

  it("refuses bad signatures, stale timestamps, events for another render and malformed events", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { id, spec } = await startedExport(jobs, user.token);
    const progress = { type: "progress", progress: 0.9, stage: "rendering" } as const;
    expectStudioError(
      await sendEvent(spec.callback_url, progress, { secret: "wrong-secret" }),
      401,
      "UNAUTHORIZED",
    );
    const stale = await sendEvent(spec.callback_url, progress, {
      nowSeconds: Math.floor(Date.now() / 1000) - 600,
    });
    expect(expectStudioError(stale, 401, "UNAUTHORIZED").detail).toMatch(/timestamp/);
    const tampered = await sendEvent(spec.callback_url, progress, {
      tamper: (b) => b.replace('"progress":0.9', '"progress":1'),
    });
    expectStudioError(tampered, 401, "UNAUTHORIZED");
    const unsigned = await call("POST", `/internal/renders/${id}/events`, { json: { type: "progress" } });
    expectStudioError(unsigned, 401, "UNAUTHORIZED");
    const otherRender = await sendEvent(spec.callback_url, { ...progress, render_id: "export-1" });
    expectStudioError(otherRender, 400, "BAD_REQUEST");
    const malformed = await sendEvent(spec.callback_url, { type: "exploded" } as never);
    expectStudioError(malformed, 400, "BAD_REQUEST");
    expect((await call("GET", `/api/v1/export/${id}`, { token: user.token })).body.progress).toBe(0);
  });

  it("refuses expired, reused, oversized, forged and mistyped uploads, writing nothing", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { spec } = await startedExport(jobs, user.token);
    const video = OUTPUT_BYTES.video();
    const before = await storedKeys(user.id);

    // Forged or unknown tokens.
    expectStudioError(await upload(`${spec.outputs.video.url.slice(0, -3)}AAA`, video), 403, "FORBIDDEN");
    expectStudioError(await upload("http://x/internal/uploads/short", video), 403, "FORBIDDEN");
    // Over the token's bound: refused before reading the body.
    const huge = await upload(spec.outputs.srt?.url ?? "", new Uint8Array(10), { length: 6 * 1024 * 1024 });
    expectStudioError(huge, 413, "PAYLOAD_TOO_LARGE");
    // A body longer than the bound it declared... and a lying Content-Length.
    const liar = await upload(spec.outputs.srt?.url ?? "", OUTPUT_BYTES.srt(), { length: 5 });
    expect(liar.status).toBeGreaterThanOrEqual(400);
    expect(liar.status).toBeLessThan(500);
    // Bytes that are not what the token was made for (a PNG to the video's URL).
    const mistyped = await upload(spec.outputs.video.url, fixture("rgb.png"));
    expectStudioError(mistyped, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect(await storedKeys(user.id)).toEqual(before);

    // Used once: the same bytes again are a harmless retry, different bytes are refused.
    expect((await upload(spec.outputs.video.url, video)).status).toBe(200);
    expect((await upload(spec.outputs.video.url, video)).body).toMatchObject({ duplicate: true });
    expectStudioError(await upload(spec.outputs.video.url, video.slice(0, 500)), 403, "FORBIDDEN");
    const stored = await env.BUCKET.head(
      (await storedKeys(user.id)).find((k) => k.endsWith("video.mp4")) ?? "",
    );
    expect(stored?.size).toBe(video.byteLength);

    // Expired.
    await env.DB.prepare("UPDATE upload_tokens SET expires_at = ? WHERE purpose LIKE ?")
      .bind(Date.now() - 1000, `export:${exportIdOf(spec)}:poster`)
      .run();
    const expired = await upload(spec.outputs.poster?.url ?? "", OUTPUT_BYTES.poster());
    expect(expectStudioError(expired, 403, "FORBIDDEN").detail).toMatch(/expired/);
    expect((await storedKeys(user.id)).some((k) => k.endsWith("poster.jpg"))).toBe(false);
  });

  it("carries large outputs through R2 multipart with the same token", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    const { spec } = await startedExport(jobs, user.token);
    const url = spec.outputs.video.url;
    const part = 5 * 1024 * 1024;
    const video = OUTPUT_BYTES.video();
    const body = new Uint8Array(part + video.byteLength);
    body.set(video, 0);
    body.fill(7, video.byteLength);
    const post = (suffix: string, json?: unknown) =>
      exports.default.fetch(
        new Request(`https://api.test${new URL(url).pathname}${suffix}`, {
          method: "POST",
          ...(json ? { body: JSON.stringify(json), headers: { "Content-Type": "application/json" } } : {}),
        }),
      );
    const started = (await (await post("?uploads")).json()) as { upload_id: string };
    const parts = [];
    for (const [n, chunk] of [body.slice(0, part), body.slice(part)].entries()) {
      const res = await upload(
        `${url}?upload_id=${encodeURIComponent(started.upload_id)}&part=${n + 1}`,
        chunk,
      );
      expect(res.status).toBe(200);
      parts.push(res.body);
    }
    const done = await post(`?upload_id=${encodeURIComponent(started.upload_id)}&complete`, { parts });
    expect(await done.json()).toEqual({ size: body.byteLength });
    const again = await post(`?upload_id=${encodeURIComponent(started.upload_id)}&complete`, { parts });
    expect(again.status).toBe(403);
    const key = (await storedKeys(user.id)).find((k) => k.endsWith("video.mp4")) ?? "";
    expect((await env.BUCKET.head(key))?.size).toBe(body.byteLength);
  });
});
