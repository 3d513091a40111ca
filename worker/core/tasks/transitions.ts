import type { TaskRow } from "../../db/queries/tasks";
import { PIPELINE_TRANSITIONS, type PipelineStatus, type TaskStatus } from "../../db/schema/automation";
import { badRequest } from "../../platform/errors";

/**
 * The task state machine. `waiting` and `pending` are one requested state — which of
 * the two a task is in follows from its dependencies. Terminal states are absorbing.
 */
const TASK_TRANSITIONS: Record<TaskStatus, readonly TaskStatus[]> = {
  waiting: ["pending", "processing", "completed", "failed", "cancelled"],
  pending: ["processing", "completed", "failed", "cancelled"],
  processing: ["pending", "completed", "failed", "cancelled"],
  failed: ["pending", "cancelled"],
  completed: [],
  cancelled: [],
};

export function transitionError(from: string, to: string) {
  return badRequest(`Invalid status transition from ${from} to ${to}`);
}

/** Throws the documented 400 unless `from → to` is allowed; the same status is not a transition. */
export function assertTaskTransition(from: TaskStatus, to: TaskStatus): void {
  const target = to === "waiting" ? "pending" : to;
  const source = from;
  if (source === target || (source === "waiting" && target === "pending")) return;
  if (!TASK_TRANSITIONS[source].includes(target)) throw transitionError(from, to);
}

/** The pipeline project's allowed status moves (PIPELINE_TRANSITIONS), exactly. */
export function assertProjectTransition(from: PipelineStatus, to: PipelineStatus): void {
  if (from === to) return;
  if (!PIPELINE_TRANSITIONS[from].includes(to)) throw transitionError(from, to);
}

/**
 * A lease past its expiry reads as pending, evaluated where it is read and never waiting for the
 * cron (db/queries/tasks.ts filters lists by the same rule in SQL).
 */
export function effectiveStatus(row: Pick<TaskRow, "status" | "leaseExpiresAt">, now: number): TaskStatus {
  return row.status === "processing" && row.leaseExpiresAt !== null && row.leaseExpiresAt < now
    ? "pending"
    : row.status;
}
