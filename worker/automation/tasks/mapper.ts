import { effectiveStatus } from "../../core/tasks/transitions";
import type { TaskRow } from "../../db/queries/tasks";
import { storedJson } from "../../platform/json-schema";
import { iso } from "../../platform/time";

/** A task as the automation API shows it; an expired lease reads as pending. */
export function taskOut(t: TaskRow, now: number) {
  const status = effectiveStatus(t, now);
  const leased = status === "processing";
  return {
    id: t.id,
    project_id: t.projectId,
    task_type: t.taskType,
    status,
    priority: t.priority,
    dependencies: t.dependencies,
    task_output: storedJson(t.taskOutput, null),
    platform_account_id: t.platformAccountId,
    commit_id: t.commitId,
    error_message: t.errorMessage,
    attempts: t.attempts,
    worker_id: leased ? t.workerId : null,
    lease_expires_at: leased ? iso(t.leaseExpiresAt) : null,
    started_at: iso(t.startedAt),
    completed_at: iso(t.completedAt),
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}
