import { DurableObject } from "cloudflare:workers";
import { CLOSE, type Frame, REPLAY_FRAMES } from "../../contracts/workflow-frames";
import type {
  ControlAction,
  ControlResult,
  ExportProgress,
  WorkflowRunRpc,
  WorkflowSnapshot,
} from "../../contracts/workflow-run";
import {
  type ItemState,
  type RunCall,
  type RunHost,
  type RunMemory,
  type RunState,
  runWorkflow,
} from "../../worker/core/workflows/run";
import { iso } from "../../worker/platform/time";

/**
 * The host of one studio workflow's run: it holds the lock (every call runs alone, so the awaits on
 * D1 and the queue never interleave two of them), keeps the run's state, items and recent frames in
 * its SQLite storage (memory is a cache, restored by the constructor after an eviction), keeps the
 * watchdog alarm, and serves hibernatable WebSockets and SSE streams. It decides nothing: every RPC
 * and alarm is one call of the run's core entry (worker/core/workflows/run/), the way `queue()`
 * and `scheduled()` call theirs.
 */
const MAX_SOCKETS = 5_000;
const encoder = new TextEncoder();

interface SocketAttachment {
  ownerId: number;
  connectedAt: number;
}

type ItemRow = {
  task_id: number;
  step: string;
  status: string;
  item_ref: string | null;
  error: string | null;
  dispatched_at: number | null;
};

export class WorkflowRun extends DurableObject<Env> implements Omit<WorkflowRunRpc, "fetch"> {
  protected readonly memory: RunMemory = { state: null, items: new Map() };
  private chain: Promise<unknown> = Promise.resolve();
  private sse = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  private keepAlive: ReturnType<typeof setInterval> | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime while the object hibernates: a ping never wakes it.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => this.load());
  }

  // ---- storage ---------------------------------------------------------------------------------

  private load(): void {
    const sqlx = this.ctx.storage.sql;
    sqlx.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sqlx.exec(
      `CREATE TABLE IF NOT EXISTS items (task_id INTEGER PRIMARY KEY, step TEXT NOT NULL, status TEXT NOT NULL,
        item_ref TEXT, error TEXT, dispatched_at INTEGER)`,
    );
    sqlx.exec("CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const row = sqlx.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'state'").toArray()[0];
    this.memory.state = row ? (JSON.parse(row.value) as RunState) : null;
    this.memory.items = new Map(
      sqlx
        .exec<ItemRow>("SELECT * FROM items")
        .toArray()
        .map((r) => [
          r.task_id,
          {
            taskId: r.task_id,
            step: r.step,
            status: r.status as ItemState["status"],
            itemRef: r.item_ref,
            error: r.error,
            dispatchedAt: r.dispatched_at,
          },
        ]),
    );
  }

  /** Writes the frames with the state and the changed items in one transaction. */
  protected persist(state: RunState, items: readonly ItemState[], frames: readonly Frame[]): void {
    this.ctx.storage.transactionSync(() => {
      const sqlx = this.ctx.storage.sql;
      for (const f of frames)
        sqlx.exec("INSERT INTO frames (seq, body) VALUES (?, ?)", f.seq, JSON.stringify(f));
      if (frames.length > 0) sqlx.exec("DELETE FROM frames WHERE seq <= ?", state.seq - REPLAY_FRAMES);
      for (const it of items) {
        sqlx.exec(
          "INSERT OR REPLACE INTO items (task_id, step, status, item_ref, error, dispatched_at) VALUES (?, ?, ?, ?, ?, ?)",
          it.taskId,
          it.step,
          it.status,
          it.itemRef,
          it.error,
          it.dispatchedAt,
        );
      }
      sqlx.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('state', ?)", JSON.stringify(state));
    });
  }

  private replay(afterSeq: number): Frame[] | null {
    const rows = this.ctx.storage.sql
      .exec<{ seq: number; body: string }>(
        "SELECT seq, body FROM frames WHERE seq > ? ORDER BY seq",
        afterSeq,
      )
      .toArray();
    if (rows.length === 0 || rows[0]?.seq !== afterSeq + 1) return null;
    return rows.map((r) => JSON.parse(r.body) as Frame);
  }

  /** What the run's core entry works against; `env` is read at each call, never kept. */
  protected get host(): RunHost {
    const self = this;
    return {
      get env() {
        return self.env;
      },
      clock: () => Date.now(),
      memory: this.memory,
      persist: (state, items, frames) => this.persist(state, items, frames),
      broadcast: (frames) => this.broadcast(frames),
      replay: (afterSeq) => this.replay(afterSeq),
      alarm: () => this.ctx.storage.getAlarm(),
      setAlarm: (at) => (at === null ? this.ctx.storage.deleteAlarm() : this.ctx.storage.setAlarm(at)),
    };
  }

  /** One call at a time: a call waits for the one before it, whatever that one's outcome. */
  protected lock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private call<C extends RunCall>(call: C) {
    return this.lock(() => runWorkflow(this.host, call));
  }

  // ---- RPC (contracts/workflow-run.ts) -----------------------------------------------------------

  async start(workflowId: number): Promise<void> {
    await this.call({ kind: "start", workflowId });
  }

  async poke(workflowId: number): Promise<void> {
    await this.call({ kind: "poke", workflowId });
  }

  async snapshot(workflowId: number): Promise<WorkflowSnapshot | null> {
    return this.call({ kind: "snapshot", workflowId });
  }

  async control(workflowId: number, action: ControlAction, reason?: string): Promise<ControlResult> {
    return this.call({ kind: "control", workflowId, action, ...(reason ? { reason } : {}) });
  }

  async exportProgress(workflowId: number, progress: ExportProgress): Promise<void> {
    await this.call({ kind: "export_progress", workflowId, progress });
  }

  override async alarm(): Promise<void> {
    await this.call({ kind: "alarm" });
  }

  // ---- sockets ---------------------------------------------------------------------------------

  protected broadcast(frames: readonly Frame[]): void {
    if (frames.length === 0) return;
    const texts = frames.map((f) => JSON.stringify(f));
    for (const ws of this.ctx.getWebSockets()) {
      try {
        for (const t of texts) ws.send(t);
      } catch {
        // A socket that cannot take a frame is closed; the others still get theirs.
        try {
          ws.close(1011, "send failed");
        } catch {
          /* already gone */
        }
      }
    }
    if (this.sse.size > 0) {
      const chunk = encoder.encode(frames.map(sseEvent).join(""));
      for (const writer of [...this.sse]) {
        writer.write(chunk).catch(() => this.dropSse(writer));
      }
    }
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const lastSeqText = url.searchParams.get("last_seq");
    const opening = await this.call({
      kind: "open",
      workflowId: Number(request.headers.get("X-Workflow-Id")),
      ownerId: Number(request.headers.get("X-Owner-Id")),
      lastSeq: lastSeqText !== null && /^\d{1,12}$/.test(lastSeqText) ? Number(lastSeqText) : null,
    });

    if (url.pathname === "/ws") {
      const pair = new WebSocketPair();
      const [client, server] = [pair[0], pair[1]];
      if (!opening) {
        server.accept();
        server.close(CLOSE.notFound, "Workflow not found");
        return new Response(null, { status: 101, webSocket: client });
      }
      if (this.ctx.getWebSockets().length >= MAX_SOCKETS) {
        server.accept();
        server.close(CLOSE.tooManyConnections, "Too many connections to this workflow");
        return new Response(null, { status: 101, webSocket: client });
      }
      const ownerId = Number(request.headers.get("X-Owner-Id"));
      this.ctx.acceptWebSocket(server, [`owner:${ownerId}`]);
      server.serializeAttachment({ ownerId, connectedAt: Date.now() } satisfies SocketAttachment);
      for (const f of opening) server.send(JSON.stringify(f));
      return new Response(null, { status: 101, webSocket: client });
    }

    if (url.pathname === "/sse") {
      if (!opening) return new Response("Workflow not found", { status: 404 });
      const stream = new TransformStream<Uint8Array, Uint8Array>();
      const writer = stream.writable.getWriter();
      void writer
        .write(encoder.encode(`retry: 2000\n\n${opening.map(sseEvent).join("")}`))
        .catch(() => this.dropSse(writer));
      this.sse.add(writer);
      this.keepAlive ??= setInterval(() => {
        for (const w of [...this.sse])
          w.write(encoder.encode(": keep-alive\n\n")).catch(() => this.dropSse(w));
      }, 20_000);
      return new Response(stream.readable, {
        headers: {
          "Content-Type": "text/event-stream; charset=utf-8",
          "Cache-Control": "no-cache, no-transform",
          "X-Accel-Buffering": "no",
        },
      });
    }
    return new Response("Not found", { status: 404 });
  }

  private dropSse(writer: WritableStreamDefaultWriter<Uint8Array>): void {
    this.sse.delete(writer);
    writer.abort().catch(() => undefined);
    if (this.sse.size === 0 && this.keepAlive) {
      clearInterval(this.keepAlive);
      this.keepAlive = null;
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return;
    if (message === '{"type":"ping"}' || message.trim() === "ping") {
      ws.send(JSON.stringify({ type: "pong", timestamp: iso(Date.now()) }));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      /* the runtime already answered the close */
    }
  }

  override async webSocketError(): Promise<void> {
    // Nothing to do: a broken socket is simply skipped by the next broadcast.
  }
}

function sseEvent(f: Frame): string {
  return `id: ${f.seq}\nevent: ${f.type}\ndata: ${JSON.stringify(f)}\n\n`;
}
