import { exports } from "cloudflare:workers";
import { call, newUser } from "./http";
import { server } from "./msw";
import { type FrameLog, framesHandler } from "./renderer";
import { studioProject } from "./studio";

/** Live-progress helpers: a WebSocket client that keeps every frame, and waits on state. */
export interface Watcher {
  frames: Record<string, any>[];
  closed: { code: number; reason: string } | null;
  socket: WebSocket;
  waitFor(pred: (f: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  close(): void;
}

export async function watch(token: string, workflowId: number | string, query = ""): Promise<Watcher> {
  const res = await exports.default.fetch(
    new Request(`https://api.test/ws/progress/${workflowId}?token=${encodeURIComponent(token)}${query}`, {
      headers: { Upgrade: "websocket" },
    }),
  );
  const socket = res.webSocket;
  if (!socket) throw new Error(`no websocket: ${res.status} ${await res.text()}`);
  const w: Watcher = {
    frames: [],
    closed: null,
    socket,
    async waitFor(pred, timeoutMs = 20_000) {
      const start = Date.now();
      for (;;) {
        const hit = w.frames.find(pred);
        if (hit) return hit;
        if (Date.now() - start > timeoutMs) {
          throw new Error(`timed out; frames: ${w.frames.map((f) => `${f.seq}:${f.type}`).join(", ")}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close() {
      try {
        socket.close(1000, "done");
      } catch {
        /* closed */
      }
    },
  };
  socket.addEventListener("message", (e) => {
    if (typeof e.data === "string" && e.data.startsWith("{")) w.frames.push(JSON.parse(e.data));
  });
  socket.addEventListener("close", (e) => {
    w.closed = { code: e.code, reason: e.reason };
  });
  socket.accept();
  return w;
}

export async function startWorkflow(
  token: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
) {
  const res = await call("POST", "/api/v1/workflows", { token, json: body, headers });
  if (res.status !== 200) throw new Error(`workflow start failed ${res.status} ${res.text}`);
  return res.body as { id: number; status: string; current_step: string };
}

/** Polls GET /workflows/{id} until `pred` holds. */
export async function until(token: string, id: number, pred: (w: any) => boolean, timeoutMs = 30_000) {
  const start = Date.now();
  let last: any;
  for (;;) {
    const res = await call("GET", `/api/v1/workflows/${id}`, { token });
    last = res.body;
    if (res.status === 200 && pred(last)) return last;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out waiting on workflow ${id}: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const TWO_SCENE_SCRIPT = `场景1：公园 清晨
小明在长椅上看书，阳光明媚。
小明：今天天气真好。
小红：我们去湖边走走吧。

场景2：湖边 黄昏
两人沿着湖边散步，夕阳映在水面上。
小红：你看，好美的夕阳。
小明：是啊，我们明天再来。`;

/** A script of `n` scenes without dialogue: no characters, so the storyboards are the only items. */
export function scenes(n: number): string {
  return Array.from(
    { length: n },
    (_, i) => `第${i + 1}场 街景${i + 1}\n雨后的街道，霓虹灯闪烁，第${i + 1}个镜头。`,
  ).join("\n\n");
}

/**
 * Holds renderer answers: `allow(n)` lets n through, `release()` all. It polls a counter instead
 * of resolving a promise from the test, because workerd does not let one request settle a promise
 * another request waits on.
 */
export function gate() {
  let allowed = 0;
  let held = 0;
  return {
    async hold() {
      held++;
      while (allowed <= 0) await new Promise((r) => setTimeout(r, 20));
      allowed--;
      held--;
    },
    allow(n: number) {
      allowed += n;
    },
    release() {
      allowed = Number.POSITIVE_INFINITY;
    },
    get held() {
      return held;
    },
  };
}

export async function waitUntil(
  pred: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = "condition",
) {
  const start = Date.now();
  while (!(await pred())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A built-in storyboard workflow of `n` scenes with `parallel` drawings held in flight at the
 * renderer, watched over a WebSocket: the starting point of the pause and eviction tests.
 */
export async function storyboardsInFlight(n: number, parallel: number) {
  const g = gate();
  const log: FrameLog = { requests: [], failures: 0 };
  server.use(framesHandler(log, { hold: g.hold }));
  const user = await newUser();
  const project = await studioProject(user.token, { script: scenes(n) });
  const wf = await startWorkflow(user.token, {
    project_id: project.id,
    workflow_type: "storyboard",
    options: { max_parallel: parallel },
  });
  const ws = await watch(user.token, wf.id);
  await waitUntil(() => g.held === parallel, 20_000, `${parallel} drawing(s) in flight`);
  return { g, log, user, project, wf, ws };
}
