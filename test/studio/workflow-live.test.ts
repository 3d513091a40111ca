import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { WorkflowRun } from "../../durable-objects/workflow-run/workflow-run";
import { data, newTenant, type Tenant } from "../helpers/automation";
import { call, expectStudioError, newUser } from "../helpers/http";
import { fixture } from "../helpers/images";
import { server } from "../helpers/msw";
import { framesHandler } from "../helpers/renderer";
import { studioProject } from "../helpers/studio";
import {
  scenes,
  startWorkflow,
  storyboardsInFlight,
  TWO_SCENE_SCRIPT,
  until,
  waitUntil,
  watch,
} from "../helpers/workflows";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function runStub(id: number) {
  return env.WORKFLOW_RUN.get(env.WORKFLOW_RUN.idFromName(`workflow:${id}`));
}

describe("WebSocket access", () => {
  it("closes refused sockets with a code and reason, and lets the owner in with a JWT or a studio API key", async () => {
    server.use(framesHandler({ requests: [], failures: 0 }));
    const owner = await newTenant("ws-owner");
    const other = await newUser();
    const project = await studioProject(owner.token, { script: TWO_SCENE_SCRIPT });
    const wf = await startWorkflow(owner.token, { project_id: project.id, workflow_type: "storyboard" });

    const refusedWith = async (token: string, id: number | string = wf.id) => {
      const w = await watch(token, id);
      await waitUntil(() => w.closed !== null, 20_000, "the refusal");
      expect(w.frames).toEqual([]);
      return w.closed;
    };
    expect(await refusedWith("")).toMatchObject({
      code: 4401,
      reason: expect.stringMatching(/Missing token/),
    });
    expect(await refusedWith("not-a-token")).toMatchObject({ code: 4401 });
    expect(await refusedWith(owner.worker)).toMatchObject({
      code: 4403,
      reason: expect.stringMatching(/scope/),
    });
    expect(await refusedWith(other.token)).toEqual({ code: 4404, reason: "Workflow not found" });
    expect(await refusedWith(owner.token, 999999)).toEqual({ code: 4404, reason: "Workflow not found" });
    expect(await refusedWith(owner.token, "abc")).toEqual({ code: 4404, reason: "Workflow not found" });

    const plain = await call("GET", `/ws/progress/${wf.id}?token=${owner.token}`);
    expect(expectStudioError(plain, 400, "BAD_REQUEST").detail).toMatch(/WebSocket/);

    const key = await call("POST", "/api/v1/auth/api-keys", {
      token: owner.token,
      json: { name: "ui", scopes: ["studio"] },
    });
    const viaKey = await watch(key.body.key, wf.id);
    const snap = await viaKey.waitFor((f) => f.type === "snapshot");
    expect(snap.workflow).toMatchObject({ id: wf.id, project_id: project.id, workflow_type: "storyboard" });
    // JSON ping is answered by the object; the plain "ping" by the runtime without waking it.
    viaKey.socket.send('{"type":"ping"}');
    await viaKey.waitFor((f) => f.type === "pong");
    viaKey.close();
  });
});

describe("broadcast", () => {
  it("reaches every open socket in the same order when others have gone away", async () => {
    const user = await newUser();
    const project = await studioProject(user.token, { script: TWO_SCENE_SCRIPT });
    const wf = await startWorkflow(user.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      generator: "external",
    });
    const sockets = await Promise.all([1, 2, 3, 4].map(() => watch(user.token, wf.id)));
    for (const s of sockets) await s.waitFor((f) => f.type === "snapshot");
    sockets[0]?.close();
    sockets[2]?.socket.close(4000, "gone");
    await new Promise((r) => setTimeout(r, 100));
    for (const action of ["pause", "resume", "pause"]) {
      expect((await call("POST", `/api/v1/workflows/${wf.id}/${action}`, { token: user.token })).status).toBe(
        200,
      );
    }
    const alive = [sockets[1], sockets[3]] as const;
    for (const s of alive)
      await s?.waitFor(
        (f) =>
          f.type === "workflow_paused" &&
          f.seq > 0 &&
          s.frames.filter((x) => x.type === "workflow_paused").length === 2,
      );
    const types = alive.map((s) =>
      (s?.frames ?? []).filter((f) => f.type.startsWith("workflow_")).map((f) => `${f.seq}:${f.type}`),
    );
    expect(types[0]).toEqual(types[1]);
    expect(types[0]?.map((t) => t.split(":")[1])).toEqual([
      "workflow_paused",
      "workflow_resumed",
      "workflow_paused",
    ]);
    for (const s of alive) s?.close();
  });
});

describe("Server-Sent Events", () => {
  it("streams the same frames as SSE events, replays after Last-Event-ID, and refuses other users", async () => {
    server.use(framesHandler({ requests: [], failures: 0 }));
    const user = await newUser();
    const other = await newUser();
    const project = await studioProject(user.token, { script: TWO_SCENE_SCRIPT });
    const wf = await startWorkflow(user.token, { project_id: project.id, workflow_type: "storyboard" });

    const read = async (url: string, headers: Record<string, string> = {}) => {
      const res = await exports.default.fetch(new Request(url, { headers }));
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/event-stream");
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      const decoder = new TextDecoder();
      while (!text.includes("event: workflow_completed") && !text.includes("event: snapshot\n")) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
        if (text.includes("event: workflow_completed")) break;
      }
      await reader.cancel();
      return text;
    };
    const sse = await exports.default.fetch(
      new Request(`https://api.test/api/v1/workflows/${wf.id}/events?token=${user.token}`),
    );
    const reader = (sse.body as ReadableStream<Uint8Array>).getReader();
    let text = "";
    while (!text.includes("event: workflow_completed")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    await reader.cancel();
    const events = [...text.matchAll(/id: (\d+)\nevent: (\w+)\ndata: (.*)\n\n/g)].map((m) => ({
      id: Number(m[1]),
      type: m[2],
      data: JSON.parse(m[3] as string),
    }));
    expect(events[0]?.type).toBe("snapshot");
    expect(events.at(-1)?.type).toBe("workflow_completed");
    for (const e of events) expect(e.data.seq).toBe(e.id);

    // Reconnecting after event 3 replays 4.. from storage, not a snapshot.
    const replay = await read(`https://api.test/api/v1/workflows/${wf.id}/events`, {
      Authorization: `Bearer ${user.token}`,
      "Last-Event-ID": "3",
    });
    const ids = [...replay.matchAll(/id: (\d+)\n/g)].map((m) => Number(m[1]));
    expect(ids[0]).toBe(4);
    expect(ids).toEqual(ids.map((_, i) => 4 + i));
    expect(replay).not.toContain("event: snapshot");

    const foreign = await call("GET", `/api/v1/workflows/${wf.id}/events?token=${other.token}`);
    expectStudioError(foreign, 404, "NOT_FOUND");
    expectStudioError(await call("GET", `/api/v1/workflows/${wf.id}/events`), 401, "UNAUTHORIZED");
  });
});

describe("eviction and hibernation of the WorkflowRun object", () => {
  it("loses nothing: sockets kept over an eviction get every frame, and a reconnect after a crash replays the gap", async () => {
    const { g, log, user, wf, ws } = await storyboardsInFlight(4, 2);

    // Eviction: the object's memory goes; its hibernated sockets stay connected.
    await evictDurableObject(runStub(wf.id));
    g.allow(1);
    await ws.waitFor((f) => f.message === "1/4 storyboards done");
    // The second drawing is still in flight.
    expect(g.held).toBe(1);
    // A crash (abort) mid-run: sockets drop and the object restarts from its storage. Frames made
    // while no socket listens are kept; the client reconnects from the last one it saw.
    await abortAllDurableObjects();
    g.allow(1);
    await waitUntil(
      async () => {
        const rows = await env.DB.prepare(
          "SELECT COUNT(*) AS n FROM tasks WHERE workflow_id = ? AND parent_task_id IS NOT NULL AND status = 'completed'",
        )
          .bind(wf.id)
          .first<{ n: number }>();
        return (rows?.n ?? 0) >= 2;
      },
      20_000,
      "a completion while disconnected",
    );
    const lastSeen = Math.max(...ws.frames.map((f) => f.seq));
    const again = await watch(user.token, wf.id, `&last_seq=${lastSeen}`);
    g.allow(10);
    await again.waitFor((f) => f.type === "workflow_completed", 30_000);
    again.close();
    ws.close();

    const seen = [...ws.frames, ...again.frames].filter((f) => f.type !== "snapshot");
    const seqs = seen.map((f) => f.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual(seqs.map((_, i) => 1 + i));
    expect(
      seen.filter((f) => f.type === "progress_update" && /done/.test(f.message)).map((f) => f.message),
    ).toEqual([
      "1/4 storyboards done",
      "2/4 storyboards done",
      "3/4 storyboards done",
      "4/4 storyboards done",
    ]);
    expect(log.requests).toHaveLength(4);
    const detail = await until(user.token, wf.id, (w) => w.status === "completed");
    expect(detail.steps[2].items).toMatchObject({ total: 4, completed: 4 });
  });
});

describe("every task change reaches the object exactly once, in order", () => {
  it("under parallel claims, expired leases, reclaims and completions from six workers", async () => {
    const t: Tenant = await newTenant("exactly-once");
    const project = await studioProject(t.token, { script: scenes(12) });
    const wf = await startWorkflow(t.token, {
      project_id: project.id,
      workflow_type: "storyboard",
      generator: "external",
    });
    const ws = await watch(t.token, wf.id);
    await until(t.token, wf.id, (w) => w.steps[2].items.total === 12);
    const png = fixture("rgb.png");
    const stalled = new Set<number>();
    const refusedStale: number[] = [];

    const worker = async (n: number) => {
      for (;;) {
        const res = await call("POST", "/api/tasks/claim", {
          token: t.worker,
          json: { task_types: ["storyboard_image"], worker_id: `w${n}`, lease_seconds: 1 },
        });
        if (res.body.code !== 0) return;
        const task = res.body.data;
        // A third of the tasks stall once past their lease: another worker takes them over, and the
        // stalled worker's late completion is refused.
        if (task.id % 3 === 0 && !stalled.has(task.id)) {
          stalled.add(task.id);
          await new Promise((r) => setTimeout(r, 1100));
          const late = await call("PATCH", `/api/tasks/${task.id}`, {
            token: t.worker,
            json: { status: "completed", task_output: { asset_id: 1 }, lease_token: task.lease_token },
          });
          if (late.body.code === 400 && late.body.msg === "Lease expired") refusedStale.push(task.id);
          continue;
        }
        const asset = data(
          await call("POST", "/api/assets", { token: t.worker, json: { name: "img", asset_type: "image" } }),
        );
        await exports.default.fetch(
          new Request(`https://api.test/api/assets/${asset.id}/content`, {
            method: "PUT",
            headers: { Authorization: `Bearer ${t.worker}`, "Content-Length": String(png.length) },
            body: png as Uint8Array<ArrayBuffer>,
          }),
        );
        await call("PATCH", `/api/tasks/${task.id}`, {
          token: t.worker,
          json: { status: "completed", task_output: { asset_id: asset.id }, lease_token: task.lease_token },
        });
      }
    };
    for (let round = 0; round < 5; round++) {
      await Promise.all([1, 2, 3, 4, 5, 6].map(worker));
      const w = (await call("GET", `/api/v1/workflows/${wf.id}`, { token: t.token })).body;
      if (w.status === "completed") break;
      await new Promise((r) => setTimeout(r, 1100));
    }
    await ws.waitFor((f) => f.type === "workflow_completed", 30_000);
    ws.close();
    expect(refusedStale.sort()).toEqual([...stalled].sort());
    expect(stalled.size).toBeGreaterThan(0);

    const done = ws.frames
      .filter((f) => f.type === "progress_update" && /storyboards done/.test(f.message))
      .map((f) => f.message);
    expect(done).toEqual(Array.from({ length: 12 }, (_, i) => `${i + 1}/12 storyboards done`));
    const seqs = ws.frames.map((f) => f.seq);
    expect(seqs.slice(1)).toEqual(seqs.slice(1).map((_, i) => (seqs[1] as number) + i));

    // The object's view of every item equals the database's.
    const d1 = await env.DB.prepare(
      "SELECT id, status FROM tasks WHERE workflow_id = ? AND parent_task_id IS NOT NULL ORDER BY id",
    )
      .bind(wf.id)
      .all<{ id: number; status: string }>();
    const mine = await runInDurableObject(runStub(wf.id), (_i: WorkflowRun, state) =>
      state.storage.sql
        .exec<{ task_id: number; status: string }>("SELECT task_id, status FROM items ORDER BY task_id")
        .toArray(),
    );
    expect(mine.map((r) => [r.task_id, r.status])).toEqual(d1.results.map((r) => [r.id, r.status]));
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM workflow_events WHERE workflow_id = ?")
      .bind(wf.id)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
