import type { RenderSpec } from "../../../contracts/render-spec";
import type { RenderResult } from "../jobs/render-job";

export type JobState = "queued" | "active" | "completed" | "failed" | "cancelled";
export const JOB_STATES: readonly JobState[] = ["queued", "active", "completed", "failed", "cancelled"];

export interface JobStatus {
  render_id: string;
  state: JobState;
  progress: number;
  stage: string | null;
  attempts: number;
  result: RenderResult | null;
  error: string | null;
}

/**
 * What the HTTP layer needs from the queue: BullMQ on Redis (queue/bullmq.ts), in development as in
 * production, so what a developer sees locally is what many renderers do.
 */
export interface RenderQueue {
  /** Adds a render; a second add with the same render id changes nothing. */
  enqueue(spec: RenderSpec): Promise<{ status: JobStatus; duplicate: boolean }>;
  get(renderId: string): Promise<JobStatus | null>;
  /** Cancels a queued or running render; null when unknown. */
  cancel(renderId: string): Promise<JobStatus | null>;
  counts(): Promise<Record<JobState, number>>;
  /** The Redis connection's state: `ready`, `connecting`, `reconnecting`, ... */
  backendState(): string;
  /** Refuses a replayed request nonce (true when seen for the first time). */
  claimNonce(nonce: string, ttlSeconds: number): Promise<boolean>;
  /** Stops taking jobs, lets running ones finish within `graceMs`, then hands them back. */
  close(graceMs: number): Promise<void>;
}
