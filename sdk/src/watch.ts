import type { Transport, WebSocketLike } from "./http";
import type { ProgressFrame } from "./types";

const TERMINAL = new Set(["workflow_completed", "workflow_failed", "workflow_cancelled"]);
const TERMINAL_STATUS = new Set(["completed", "failed", "cancelled"]);

export interface WatchOptions {
  /** `websocket` (default, falls back to SSE when it cannot connect), or `sse`. */
  transport?: "websocket" | "sse";
  /** Reconnects after a dropped connection before giving up (default 10). */
  maxReconnects?: number;
  /** Resume after this frame instead of starting from a snapshot. */
  lastSeq?: number;
  signal?: AbortSignal;
}

/**
 * A workflow's live progress: the snapshot, then every frame in `seq` order, across reconnects
 * (resuming with `last_seq`, so nothing is missed or repeated), until the workflow finishes. Use it
 * as an async iterator (`for await (const frame of watch)`) or with a callback (`onFrame`).
 */
export class WorkflowWatch implements AsyncIterable<ProgressFrame> {
  private readonly queue: ProgressFrame[] = [];
  private waiter: (() => void) | null = null;
  private ended = false;
  private failure: unknown = null;
  private lastSeq: number;
  private socket: WebSocketLike | null = null;
  private abortSse: AbortController | null = null;
  private reconnects = 0;
  readonly done: Promise<ProgressFrame | null>;
  private resolveDone!: (f: ProgressFrame | null) => void;
  private rejectDone!: (e: unknown) => void;
  private last: ProgressFrame | null = null;
  private usingSse: boolean;

  constructor(
    private readonly http: Transport,
    private readonly workflowId: number,
    private readonly opts: WatchOptions = {},
    private readonly onFrame?: (frame: ProgressFrame) => void,
  ) {
    this.lastSeq = opts.lastSeq ?? -1;
    this.usingSse = opts.transport === "sse" || !http.webSocket;
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
    opts.signal?.addEventListener("abort", () => this.close());
    this.connect();
  }

  /** Stops watching; the iterator ends. */
  close(): void {
    this.finish(null);
  }

  private finish(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    try {
      this.socket?.close(1000, "done");
    } catch {
      // already closed
    }
    this.abortSse?.abort();
    if (error) this.rejectDone(error);
    else this.resolveDone(this.last);
    this.waiter?.();
  }

  private accept(frame: ProgressFrame): void {
    if (this.ended) return;
    // Snapshots restate the state; numbered frames are delivered once, in order.
    if (frame.type !== "snapshot") {
      if (frame.seq <= this.lastSeq) return;
      this.lastSeq = frame.seq;
    } else if (typeof frame.seq === "number") {
      this.lastSeq = Math.max(this.lastSeq, frame.seq);
    }
    this.last = frame;
    this.queue.push(frame);
    this.onFrame?.(frame);
    this.waiter?.();
    if (TERMINAL.has(frame.type) || (frame.type === "snapshot" && TERMINAL_STATUS.has(frame.status))) {
      this.finish(null);
    }
  }

  private retry(reason: unknown): void {
    if (this.ended) return;
    if (this.reconnects >= (this.opts.maxReconnects ?? 10)) {
      this.finish(new Error(`Lost the progress stream of workflow ${this.workflowId}: ${String(reason)}`));
      return;
    }
    const delay = Math.min(10_000, 250 * 2 ** this.reconnects);
    this.reconnects++;
    setTimeout(() => this.connect(), delay);
  }

  private connect(): void {
    if (this.ended) return;
    if (this.usingSse) {
      void this.connectSse();
      return;
    }
    const query = new URLSearchParams({ token: this.http.token ?? "" });
    if (this.lastSeq >= 0) query.set("last_seq", String(this.lastSeq));
    const url = `${this.http.baseUrl.replace(/^http/, "ws")}/ws/progress/${this.workflowId}?${query}`;
    let opened = false;
    let socket: WebSocketLike;
    try {
      socket = (this.http.webSocket as (u: string) => WebSocketLike)(url);
    } catch (err) {
      this.usingSse = true;
      this.retry(err);
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      opened = true;
      this.reconnects = 0;
    };
    socket.onmessage = (ev) => {
      opened = true;
      const text = typeof ev.data === "string" ? ev.data : "";
      if (!text.startsWith("{")) return;
      this.accept(JSON.parse(text) as ProgressFrame);
    };
    socket.onerror = () => undefined;
    socket.onclose = (ev) => {
      if (this.ended) return;
      // 4401/4403/4404: refused for good.
      if (ev.code >= 4400 && ev.code < 4500 && ev.code !== 4429) {
        this.finish(new Error(`Progress socket refused (${ev.code}): ${ev.reason}`));
        return;
      }
      // Never opened: WebSockets are blocked on this path; use Server-Sent Events.
      if (!opened) this.usingSse = true;
      this.retry(`socket closed ${ev.code} ${ev.reason}`);
    };
  }

  private async connectSse(): Promise<void> {
    const abort = new AbortController();
    this.abortSse = abort;
    try {
      const res = await this.http.raw("GET", `/api/v1/workflows/${this.workflowId}/events`, {
        headers: {
          Accept: "text/event-stream",
          ...(this.lastSeq >= 0 ? { "Last-Event-ID": String(this.lastSeq) } : {}),
        },
        signal: abort.signal,
      });
      if (res.status === 401 || res.status === 403 || res.status === 404) {
        this.finish(new Error(`Progress stream refused (${res.status})`));
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      this.reconnects = 0;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const data = block
            .split("\n")
            .filter((l) => l.startsWith("data:"))
            .map((l) => l.slice(5).trimStart())
            .join("\n");
          if (data.startsWith("{")) this.accept(JSON.parse(data) as ProgressFrame);
          cut = buffer.indexOf("\n\n");
        }
      }
      this.retry("stream ended");
    } catch (err) {
      if (!this.ended) this.retry(err);
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ProgressFrame> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (this.ended) {
          if (this.failure) throw this.failure;
          return;
        }
        await new Promise<void>((resolve) => {
          this.waiter = resolve;
        });
        this.waiter = null;
      }
    } finally {
      if (!this.ended) this.close();
    }
  }
}
