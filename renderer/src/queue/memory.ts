import type { RenderSpec } from "../../../contracts/render-spec";
import { CancelledError, InvalidJobError, SHUTDOWN } from "../jobs/errors";
import type { Attempt } from "../jobs/processor";
import type { RenderResult } from "../jobs/render-job";
import { JOB_STATES, type JobState, type JobStatus, type RenderQueue } from "./types";

type Processor = (spec: RenderSpec, attempt: Attempt) => Promise<RenderResult>;

interface Entry {
  spec: RenderSpec;
  status: JobStatus;
  controller: AbortController | null;
  notBefore: number;
}

/**
 * The in-process queue for local development without Redis. Same contract as the BullMQ queue:
 * duplicate ids are no-ops, retries back off exponentially, invalid jobs fail at once, cancel
 * works queued or running. Jobs live in memory only: a restart forgets them.
 */
export class MemoryQueue implements RenderQueue {
  readonly kind = "memory" as const;
  private readonly jobs = new Map<string, Entry>();
  private readonly waiting: string[] = [];
  private readonly nonces = new Map<string, number>();
  private running = 0;
  private closing = false;
  private readonly idle = new Set<() => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly processor: Processor,
    private readonly cancelledBeforeStart: (spec: RenderSpec) => Promise<void>,
    private readonly opts: { concurrency: number; attempts: number; backoffMs: number },
  ) {}

  async enqueue(spec: RenderSpec) {
    const existing = this.jobs.get(spec.render_id);
    if (existing) return { status: { ...existing.status }, duplicate: true };
    const status: JobStatus = {
      render_id: spec.render_id,
      state: "queued",
      progress: 0,
      stage: null,
      attempts: 0,
      result: null,
      error: null,
    };
    this.jobs.set(spec.render_id, { spec, status, controller: null, notBefore: 0 });
    this.waiting.push(spec.render_id);
    this.pump();
    return { status: { ...status }, duplicate: false };
  }

  async get(id: string) {
    const e = this.jobs.get(id);
    return e ? { ...e.status } : null;
  }

  async cancel(id: string) {
    const e = this.jobs.get(id);
    if (!e) return null;
    if (e.status.state === "queued") {
      this.waiting.splice(this.waiting.indexOf(id), 1);
      e.status.state = "cancelled";
      await this.cancelledBeforeStart(e.spec);
    } else if (e.status.state === "active") {
      e.controller?.abort("cancelled");
    }
    return { ...e.status };
  }

  async counts() {
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    for (const e of this.jobs.values()) counts[e.status.state]++;
    return counts;
  }

  backendState() {
    return "none";
  }

  async claimNonce(nonce: string, ttlSeconds: number) {
    const now = Date.now();
    for (const [n, until] of this.nonces) if (until < now) this.nonces.delete(n);
    if (this.nonces.has(nonce)) return false;
    this.nonces.set(nonce, now + ttlSeconds * 1000);
    return true;
  }

  async close(graceMs: number) {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running === 0) return;
    const finished = new Promise<void>((r) => this.idle.add(r));
    const timedOut = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
    if ((await Promise.race([finished, timedOut])) === "timeout") {
      for (const e of this.jobs.values()) e.controller?.abort(SHUTDOWN);
      await finished;
    }
  }

  private pump() {
    if (this.closing) return;
    const now = Date.now();
    while (this.running < this.opts.concurrency) {
      const index = this.waiting.findIndex((id) => (this.jobs.get(id)?.notBefore ?? 0) <= now);
      if (index < 0) break;
      const [id] = this.waiting.splice(index, 1);
      const e = id ? this.jobs.get(id) : undefined;
      if (e) void this.run(e);
    }
    const next = Math.min(...this.waiting.map((id) => this.jobs.get(id)?.notBefore ?? now));
    if (this.waiting.length > 0 && Number.isFinite(next)) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => this.pump(), Math.max(10, next - Date.now()));
      this.timer.unref();
    }
  }

  private async run(e: Entry) {
    this.running++;
    e.status.state = "active";
    e.status.attempts++;
    e.controller = new AbortController();
    try {
      e.status.result = await this.processor(e.spec, {
        attempt: e.status.attempts,
        maxAttempts: this.opts.attempts,
        signal: e.controller.signal,
        saveProgress: (fraction, stage) => {
          e.status.progress = fraction;
          e.status.stage = stage;
        },
      });
      e.status.state = "completed";
      e.status.progress = 1;
    } catch (err) {
      e.status.error = err instanceof Error ? err.message : String(err);
      if (e.controller.signal.reason === SHUTDOWN) {
        e.status.state = "queued"; // shutting down: the job is not lost to a retry count
      } else if (err instanceof CancelledError) {
        e.status.state = "cancelled";
      } else if (err instanceof InvalidJobError || e.status.attempts >= this.opts.attempts) {
        e.status.state = "failed";
      } else {
        e.status.state = "queued";
        e.notBefore = Date.now() + this.opts.backoffMs * 2 ** (e.status.attempts - 1);
        this.waiting.push(e.spec.render_id);
      }
    } finally {
      e.controller = null;
      this.running--;
      if (this.running === 0) for (const r of this.idle) r();
      this.pump();
    }
  }
}
