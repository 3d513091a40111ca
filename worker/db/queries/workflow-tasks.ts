import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll, rawRun } from "../raw";

/**
 * Task statements only the studio workflow machinery issues: the built-in executor's claim by id,
 * the bulk moves of pause/cancel/retry and a fan-out step's chunked expansion. Status changes here are
 * recorded by the workflow_events triggers like any other.
 */

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

/**
 * A task waiting on a provider's job: its lease ends when the poll is due, and the claim that ran
 * it is not counted as an attempt (polling is not failing).
 */
export function waitStatement(db: Database, taskId: number, leaseToken: string, until: number, now: number) {
  return rawRun(
    db,
    sql`UPDATE tasks SET lease_expires_at = ${until}, attempts = MAX(0, attempts - 1), updated_at = ${now}
      WHERE id = ${taskId} AND status = 'processing' AND lease_token = ${leaseToken}`,
  );
}

/** A claimed task handed back unrun (its workflow paused first): pending again, the claim uncounted. */
export function releaseClaimStatement(
  db: Database,
  taskId: number,
  leaseToken: string,
  reason: string,
  now: number,
) {
  return rawRun(
    db,
    sql`UPDATE tasks SET status = 'pending', lease_token = NULL, lease_expires_at = NULL, worker_id = NULL,
        attempts = MAX(0, attempts - 1), error_message = ${reason}, updated_at = ${now}
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

/**
 * How far a fan-out step's expansion got, kept in the step task's `task_output.fanout`: the id of
 * the last item row read (`after`), the items created, whether every item exists (`done`), and
 * when the last chunk was written (`at`).
 */
export interface FanoutProgress {
  after: number;
  items: number;
  done: boolean;
  at: number;
}

export interface FanoutStep {
  id: number;
  ownerId: number;
  workflowId: number;
  step: string | null;
  status: string;
  fanout: FanoutProgress | null;
}

interface FanoutStepRow {
  id: number;
  ownerId: number;
  workflowId: number;
  step: string | null;
  status: string;
  fanout: string | null;
}

/** Workflow step tasks with their expansion progress (null before the first chunk), by id. */
export function fanoutStepsStatement(db: Database, taskIds: readonly number[]) {
  return rawAll<FanoutStepRow>(
    db,
    sql`SELECT id, owner_id AS ownerId, workflow_id AS workflowId, step, status,
        json_extract(task_output, '$.fanout') AS fanout
      FROM tasks WHERE id IN (SELECT value FROM json_each(${JSON.stringify(taskIds)}))
        AND workflow_id IS NOT NULL AND parent_task_id IS NULL AND deleted_at IS NULL`,
  );
}

export function parseFanoutStep(row: FanoutStepRow): FanoutStep {
  return { ...row, fanout: row.fanout ? (JSON.parse(row.fanout) as FanoutProgress) : null };
}

/** A workflow step task with its expansion progress (null before its first chunk). */
export async function findFanoutStep(db: Database, taskId: number): Promise<FanoutStep | undefined> {
  const [row] = await fanoutStepsStatement(db, [taskId]);
  return row ? parseFanoutStep(row) : undefined;
}

/**
 * Records one chunk of a fan-out step's expansion; the first chunk also starts the step (pending →
 * processing, no lease: its items carry the leases). Guarded by the progress the chunk was read
 * from and by the workflow running, so a chunk delivered twice, or after a pause or cancel,
 * changes nothing (follow it with a guard to abort the chunk's inserts too).
 */
export function advanceFanoutStatement(
  db: Database,
  taskId: number,
  from: FanoutProgress | null,
  to: FanoutProgress,
  now: number,
) {
  const expected =
    from === null
      ? sql`status = 'pending'`
      : sql`status = 'processing' AND json_extract(task_output, '$.fanout.after') = ${from.after}
          AND json_extract(task_output, '$.fanout.done') = 0`;
  return rawRun(
    db,
    sql`UPDATE tasks SET status = 'processing', started_at = COALESCE(started_at, ${now}), lease_token = NULL,
        lease_expires_at = NULL, task_output = json_set(COALESCE(task_output, '{}'), '$.fanout', json(${JSON.stringify(to)})),
        updated_at = ${now}
      WHERE id = ${taskId} AND deleted_at IS NULL AND ${expected}
        AND EXISTS (SELECT 1 FROM workflows w WHERE w.id = tasks.workflow_id AND w.status = 'running')`,
  );
}
