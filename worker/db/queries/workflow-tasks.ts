import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll, rawRun } from "../raw";

/**
 * Task statements only the studio workflow machinery issues: starting a fan-out step, the built-in
 * executor's claim by id, and the bulk moves of pause/cancel/retry. Status changes here are
 * recorded by the workflow_events triggers like any other.
 */

/** A fan-out step starts: pending → processing, with no lease (its items carry the leases). */
export function startStepStatement(db: Database, taskId: number, now: number) {
  return rawRun(
    db,
    sql`UPDATE tasks SET status = 'processing', started_at = COALESCE(started_at, ${now}), lease_token = NULL,
        lease_expires_at = NULL, updated_at = ${now}
      WHERE id = ${taskId} AND status = 'pending' AND deleted_at IS NULL`,
  );
}

export interface ClaimedTask {
  id: number;
  ownerId: number;
  projectId: number;
  taskType: string;
  status: string;
  attempts: number;
  workflowId: number;
  step: string | null;
  parentTaskId: number | null;
  itemRef: string | null;
  leaseToken: string;
}

/**
 * The built-in executor's claim of one task by id: pending, or processing under an expired lease
 * (its previous executor died or is backing off), of a running workflow. Fan-out parents (no
 * lease while their items run) are never claimed; built-in items only in built-in workflows.
 */
export function claimBuiltinStatement(
  db: Database,
  taskId: number,
  leaseToken: string,
  now: number,
  leaseMs: number,
) {
  return rawAll<ClaimedTask>(
    db,
    sql`UPDATE tasks SET status = 'processing', lease_token = ${leaseToken}, lease_expires_at = ${now + leaseMs},
        attempts = attempts + 1, worker_id = 'builtin', started_at = COALESCE(started_at, ${now}), updated_at = ${now}
      WHERE id = ${taskId} AND deleted_at IS NULL AND workflow_id IS NOT NULL
        AND (status = 'pending' OR (status = 'processing' AND lease_expires_at IS NOT NULL AND lease_expires_at < ${now}))
        AND EXISTS (SELECT 1 FROM workflows w WHERE w.id = tasks.workflow_id AND w.status = 'running'
                    AND (tasks.parent_task_id IS NULL OR w.generator = 'builtin'))
      RETURNING id, owner_id AS ownerId, project_id AS projectId, task_type AS taskType, status, attempts,
        workflow_id AS workflowId, step, parent_task_id AS parentTaskId, item_ref AS itemRef, lease_token AS leaseToken`,
  );
}

/** Backs off after a failed attempt: the lease now ends when the retry is due, so nobody runs it early. */
export function backOffStatement(
  db: Database,
  taskId: number,
  leaseToken: string,
  until: number,
  error: string,
  now: number,
) {
  return rawRun(
    db,
    sql`UPDATE tasks SET lease_expires_at = ${until}, error_message = ${error}, updated_at = ${now}
      WHERE id = ${taskId} AND status = 'processing' AND lease_token = ${leaseToken}`,
  );
}

/** Cancel: everything of the workflow not finished is cancelled; leases end (late updates are refused). */
export function cancelWorkflowTasksStatement(db: Database, workflowId: number, now: number) {
  return rawAll<{ id: number }>(
    db,
    sql`UPDATE tasks SET status = 'cancelled', lease_token = NULL, lease_expires_at = NULL, updated_at = ${now}
      WHERE workflow_id = ${workflowId} AND status IN ('waiting', 'pending', 'processing') AND deleted_at IS NULL
      RETURNING id`,
  );
}

/**
 * Retry: failed items go back to pending with fresh attempts; a failed fan-out step back to
 * processing (its items are already there), a failed single step to pending. Completed work stays.
 */
export function retryWorkflowTasksStatements(db: Database, workflowId: number, now: number) {
  return [
    rawRun(
      db,
      sql`UPDATE tasks SET status = 'pending', attempts = 0, error_message = NULL, lease_token = NULL,
          lease_expires_at = NULL, completed_at = NULL, updated_at = ${now}
        WHERE workflow_id = ${workflowId} AND parent_task_id IS NOT NULL AND status = 'failed' AND deleted_at IS NULL`,
    ),
    rawRun(
      db,
      sql`UPDATE tasks SET
          status = CASE WHEN EXISTS (SELECT 1 FROM tasks c WHERE c.parent_task_id = tasks.id) THEN 'processing' ELSE 'pending' END,
          attempts = 0, error_message = NULL, lease_token = NULL, lease_expires_at = NULL, completed_at = NULL, updated_at = ${now}
        WHERE workflow_id = ${workflowId} AND parent_task_id IS NULL AND status = 'failed' AND deleted_at IS NULL`,
    ),
  ];
}

/** A step that waits on something else (a render) keeps its lease while it waits. */
export async function extendBuiltinLease(
  db: Database,
  taskId: number,
  leaseToken: string,
  until: number,
  now: number,
) {
  await rawRun(
    db,
    sql`UPDATE tasks SET lease_expires_at = ${until}, updated_at = ${now}
      WHERE id = ${taskId} AND status = 'processing' AND lease_token = ${leaseToken}`,
  );
}
