import { type Job, Queue, UnrecoverableError, WaitingError, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { RenderEvent } from "../../../contracts/render-events";
import type { RenderSpec } from "../../../contracts/render-spec";
import { CancelledError, InvalidJobError, SHUTDOWN } from "../jobs/errors";
import { type EventOutbox, eventRetryDelayMs, postEvent } from "../jobs/events";
import type { Attempt } from "../jobs/processor";
import type { RenderResult } from "../jobs/render-job";
import { JOB_STATES, type JobState, type JobStatus, type RenderQueue } from "./types";

type Processor = (spec: RenderSpec, attempt: Attempt) => Promise<RenderResult>;

export interface BullOptions {
  redisUrl: string;
  name: string;
  concurrency: number;
  attempts: number;
  backoffMs: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  secret: string;
  giveUpMs: number;
  /** Start the worker (false for a process that only enqueues, e.g. tests of the producer side). */
  work?: boolean;
}

/**
 * Logs an emitter's errors once per distinct message: while Redis is away ioredis and BullMQ retry
 * every few hundred milliseconds, and one line saying so is enough.
 */
function logErrorsOnce(emitter: { on(event: "error", fn: (err: Error) => void): unknown }, source: string) {
  let last = "";
  emitter.on("error", (err: Error) => {
    const text = String(err);
    if (text === last) return;
    last = text;
    console.error(JSON.stringify({ level: "error", msg: `${source} error`, err: text }));
  });
}

export function redisClient(url: string): Redis {
  // Workers block on Redis: requests must wait for a reconnect instead of failing (BullMQ's rule).
  const client = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  logErrorsOnce(client, "redis");
  return client;
}

/** A second connection like `client`'s (BullMQ workers block on theirs), with the same error logging. */
function duplicateClient(client: Redis): Redis {
  const copy = client.duplicate();
  logErrorsOnce(copy, "redis");
  return copy;
}

/**
 * Terminal events as BullMQ jobs of their own queue: stored in Redis, delivered by any renderer,
 * retried with backoff until the Worker acknowledges; the event id is the job id, so the same event
 * queued twice (a render re-run after a crash) is delivered once.
 */
export class BullEventOutbox implements EventOutbox {
  readonly queue: Queue;
  private readonly worker: Worker;
  private readonly workerConnection: Redis;

  constructor(
    private readonly connection: Redis,
    name: string,
    secret: string,
    giveUpMs: number,
    work: boolean,
  ) {
    const attempts = Math.max(1, Math.ceil(giveUpMs / 60_000) + 6);
    this.workerConnection = duplicateClient(connection);
    this.queue = new Queue(`${name}-events`, {
      connection,
      defaultJobOptions: {
        attempts,
        backoff: { type: "custom" },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
    this.worker = new Worker(
      `${name}-events`,
      async (job: Job<{ url: string; event: RenderEvent }>) => {
        if (!(await postEvent(secret, job.data.url, job.data.event)))
          throw new Error("callback not acknowledged");
      },
      {
        connection: this.workerConnection,
        concurrency: 4,
        autorun: work,
        settings: { backoffStrategy: (attemptsMade: number) => eventRetryDelayMs(attemptsMade) },
      },
    );
    logErrorsOnce(this.queue, "event queue");
    logErrorsOnce(this.worker, "event worker");
  }

  async push(url: string, event: RenderEvent): Promise<void> {
    await this.queue.add(event.type, { url, event }, { jobId: event.event_id.replace(/:/g, "_") });
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.queue.close();
    this.disconnect();
  }

  disconnect(): void {
    this.workerConnection.disconnect();
    this.connection.disconnect();
  }
}

function toState(state: string, cancelled: boolean): JobState {
  if (cancelled) return "cancelled";
  if (state === "active") return "active";
  if (state === "completed") return "completed";
  if (state === "failed") return "failed";
  return "queued";
}

/**
 * BullMQ on Redis: the job id is the render id (a duplicate dispatch is a no-op while the job
 * exists), retries back off exponentially, an UnrecoverableError (bad spec, bad input, cancel)
 * fails at once, a worker that dies mid-job loses its lock and the job is recovered as stalled by
 * another. A cancel reaches the process running the job through Redis pub/sub.
 */
export class BullQueue implements RenderQueue {
  readonly queue: Queue<RenderSpec, RenderResult>;
  readonly worker: Worker<RenderSpec, RenderResult>;
  private readonly redis: Redis;
  private readonly workerConnection: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly shutdown = new AbortController();

  constructor(
    processor: Processor,
    private readonly cancelledBeforeStart: (spec: RenderSpec) => Promise<void>,
    private readonly opts: BullOptions,
    readonly outbox: BullEventOutbox = new BullEventOutbox(
      redisClient(opts.redisUrl),
      opts.name,
      opts.secret,
      opts.giveUpMs,
      opts.work !== false,
    ),
  ) {
    this.redis = redisClient(opts.redisUrl);
    this.subscriber = redisClient(opts.redisUrl);
    this.workerConnection = duplicateClient(this.redis);
    this.channel = `${opts.name}:cancel`;
    this.queue = new Queue<RenderSpec, RenderResult>(opts.name, {
      connection: this.redis,
      defaultJobOptions: {
        attempts: opts.attempts,
        backoff: { type: "exponential", delay: opts.backoffMs },
        removeOnComplete: { age: 24 * 3600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3600 },
      },
    });
    this.worker = new Worker<RenderSpec, RenderResult>(
      opts.name,
      async (job, token, signal) => {
        if (await this.redis.exists(this.cancelKey(job.id ?? ""))) throw new UnrecoverableError("cancelled");
        const abort = signal ? AbortSignal.any([signal, this.shutdown.signal]) : this.shutdown.signal;
        try {
          return await processor(job.data, {
            attempt: job.attemptsMade + 1,
            maxAttempts: job.opts.attempts ?? opts.attempts,
            signal: abort,
            saveProgress: (fraction, stage) => void job.updateProgress({ fraction, stage }).catch(() => {}),
          });
        } catch (err) {
          if (this.shutdown.signal.aborted) {
            // Stopped by a shutdown: handed back to the queue at once, with no attempt spent.
            await job.moveToWait(token);
            throw new WaitingError();
          }
          if (err instanceof CancelledError || err instanceof InvalidJobError)
            throw new UnrecoverableError(err.message);
          throw err;
        }
      },
      {
        connection: this.workerConnection,
        concurrency: opts.concurrency,
        lockDuration: opts.lockDurationMs,
        stalledInterval: opts.stalledIntervalMs,
        maxStalledCount: 2,
        autorun: opts.work !== false,
      },
    );
    logErrorsOnce(this.worker, "worker");
    logErrorsOnce(this.queue, "queue");
    void this.subscriber.subscribe(this.channel);
    this.subscriber.on("message", (_channel, id: string) => {
      this.worker.cancelJob(id, "cancelled");
    });
  }

  private cancelKey(id: string) {
    return `${this.opts.name}:cancelled:${id}`;
  }

  async enqueue(spec: RenderSpec) {
    const existing = await this.queue.getJob(spec.render_id);
    if (existing) return { status: await this.status(existing), duplicate: true };
    const job = await this.queue.add("render", spec, { jobId: spec.render_id });
    return { status: await this.status(job), duplicate: false };
  }

  private async status(job: Job<RenderSpec, RenderResult>): Promise<JobStatus> {
    const state = await job.getState();
    const cancelled = (await this.redis.exists(this.cancelKey(job.id ?? ""))) === 1 && state !== "completed";
    const progress = (job.progress ?? {}) as { fraction?: number; stage?: string };
    return {
      render_id: job.id ?? "",
      state: toState(state, cancelled),
      progress: state === "completed" ? 1 : (progress.fraction ?? 0),
      stage: progress.stage ?? null,
      attempts: job.attemptsMade + (state === "active" ? 1 : 0),
      result: job.returnvalue ?? null,
      error: job.failedReason || null,
    };
  }

  async get(id: string) {
    const job = await this.queue.getJob(id);
    return job ? this.status(job) : null;
  }

  async cancel(id: string) {
    const job = await this.queue.getJob(id);
    if (!job) return null;
    const state = await job.getState();
    if (state === "completed" || state === "failed") return this.status(job);
    await this.redis.set(this.cancelKey(id), "1", "EX", 7 * 24 * 3600);
    if (state !== "active") {
      try {
        await job.remove();
        await this.cancelledBeforeStart(job.data);
        return { ...(await this.statusOfRemoved(id)) };
      } catch {
        // It started meanwhile: cancel it where it runs.
      }
    }
    await this.redis.publish(this.channel, id);
    return this.status(job);
  }

  private async statusOfRemoved(id: string): Promise<JobStatus> {
    return {
      render_id: id,
      state: "cancelled",
      progress: 0,
      stage: null,
      attempts: 0,
      result: null,
      error: "cancelled",
    };
  }

  async counts() {
    const c = await this.queue.getJobCounts(
      "waiting",
      "delayed",
      "prioritized",
      "active",
      "completed",
      "failed",
    );
    const counts = Object.fromEntries(JOB_STATES.map((s) => [s, 0])) as Record<JobState, number>;
    counts.queued = (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0);
    counts.active = c.active ?? 0;
    counts.completed = c.completed ?? 0;
    counts.failed = c.failed ?? 0;
    return counts;
  }

  backendState() {
    return this.redis.status;
  }

  /** Resolves true once Redis answers, or false after `timeoutMs` (the renderer then starts degraded). */
  connected(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === "ready") return Promise.resolve(true);
    return new Promise((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.redis.off("ready", onReady);
        resolve(false);
      }, timeoutMs);
      this.redis.once("ready", onReady);
    });
  }

  async claimNonce(nonce: string, ttlSeconds: number) {
    return (await this.redis.set(`${this.opts.name}:nonce:${nonce}`, "1", "EX", ttlSeconds, "NX")) === "OK";
  }

  async close(graceMs: number) {
    if (this.redis.status !== "ready") {
      // BullMQ's close waits for a reconnect that may never come: stop what runs and hang up.
      this.shutdown.abort(SHUTDOWN);
      void this.worker.close(true).catch(() => {});
      this.outbox.disconnect();
      this.workerConnection.disconnect();
      this.subscriber.disconnect();
      this.redis.disconnect();
      return;
    }
    const closing = this.worker.close();
    const timedOut = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
    if ((await Promise.race([closing, timedOut])) === "timeout") {
      // Past the grace period: the running renders are killed and handed back (see the processor).
      this.shutdown.abort(SHUTDOWN);
      await closing;
    }
    await this.outbox.close();
    await this.queue.close();
    this.workerConnection.disconnect();
    this.subscriber.disconnect();
    this.redis.disconnect();
  }
}
