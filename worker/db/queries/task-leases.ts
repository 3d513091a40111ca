import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll } from "../raw";
import { tasks } from "../schema";
import { rollupProjectStatement, type TaskRow } from "./tasks";

/** Leases: the atomic claim, the heartbeat that extends one, and the cron's expiry. */

/**
 * Of a studio workflow's tasks, workers may claim only the items of an `external` workflow that is
 * running: steps and built-in items are ours, and nothing of a paused, cancelled or finished
 * workflow is handed out.
 */
const WORKFLOW_RUNNABLE = sql.raw(
  "(t.workflow_id IS NULL OR (t.parent_task_id IS NOT NULL AND EXISTS (SELECT 1 FROM workflows w WHERE w.id = t.workflow_id AND w.status = 'running' AND w.generator = 'external')))",
);

export interface ClaimInput {
  ownerId: number;
  taskTypes: string[];
  now: number;
  leaseMs: number;
  leaseToken: string;
  workerId: string | null;
  platformAccountId: number | null;
  maxAttempts: number;
}

/**
 * The claim, one statement (D1 runs one query at a time, so it is race-free): the highest-priority,
 * oldest claimable task of the tenant and types — pending, or processing with an expired lease and
 * attempts left — is moved to processing under a new lease. Each branch walks an index in claim
 * order and stops at its first match.
 */
export async function claimNextTask(db: Database, c: ClaimInput): Promise<TaskRow | undefined> {
  const types = JSON.stringify(c.taskTypes);
  const claimable = sql`(${tasks.status} = 'pending' OR (${tasks.status} = 'processing' AND ${tasks.leaseExpiresAt} < ${c.now} AND ${tasks.attempts} < ${c.maxAttempts}))`;
  const claim = db
    .update(tasks)
    .set({
      status: "processing",
      leaseToken: c.leaseToken,
      leaseExpiresAt: c.now + c.leaseMs,
      workerId: c.workerId,
      attempts: sql`${tasks.attempts} + 1`,
      startedAt: sql`COALESCE(${tasks.startedAt}, ${c.now})`,
      ...(c.platformAccountId !== null ? { platformAccountId: c.platformAccountId } : {}),
      updatedAt: c.now,
    })
    .where(
      sql`${tasks.id} = (SELECT id FROM (
          SELECT id, priority FROM (
            SELECT t.id, t.priority FROM tasks t
            WHERE t.owner_id = ${c.ownerId} AND t.status = 'pending' AND t.deleted_at IS NULL
              AND t.task_type IN (SELECT value FROM json_each(${types})) AND ${WORKFLOW_RUNNABLE}
            ORDER BY t.priority DESC, t.id ASC LIMIT 1)
          UNION ALL
          SELECT id, priority FROM (
            SELECT t.id, t.priority FROM tasks t
            WHERE t.status = 'processing' AND t.lease_expires_at < ${c.now} AND t.owner_id = ${c.ownerId}
              AND t.attempts < ${c.maxAttempts} AND t.deleted_at IS NULL
              AND t.task_type IN (SELECT value FROM json_each(${types})) AND ${WORKFLOW_RUNNABLE}
            ORDER BY t.priority DESC, t.id ASC LIMIT 1)
        ) ORDER BY priority DESC, id ASC LIMIT 1) AND ${claimable}`,
    )
    .returning();
  // The project rolls up (pending → processing) in the same batch as the claim.
  const [rows] = await db.batch([claim, rollupProjectStatement(db, { leasedBy: c.leaseToken }, c.now)]);
  return rows[0];
}

export async function extendLease(
  db: Database,
  input: { ownerId: number; taskId: number; leaseToken: string; now: number; leaseMs: number },
) {
  const rows = await db
    .update(tasks)
    .set({ leaseExpiresAt: input.now + input.leaseMs, updatedAt: input.now })
    .where(
      and(
        eq(tasks.id, input.taskId),
        eq(tasks.ownerId, input.ownerId),
        isNull(tasks.deletedAt),
        eq(tasks.status, "processing"),
        eq(tasks.leaseToken, input.leaseToken),
        sql`${tasks.leaseExpiresAt} > ${input.now}`,
      ),
    )
    .returning();
  return rows[0];
}

/** Leases past expiry: back to pending, or failed once their attempts are used up (cron). */
export async function expireLeases(db: Database, now: number, maxAttempts: number) {
  const [requeued, failed] = await db.batch([
    rawAll<{ id: number; project_id: number; workflow_id: number | null }>(
      db,
      sql`UPDATE tasks SET status = 'pending', lease_token = NULL, lease_expires_at = NULL, updated_at = ${now}
        WHERE status = 'processing' AND lease_expires_at < ${now} AND attempts < ${maxAttempts}
        RETURNING id, project_id, workflow_id`,
    ),
    rawAll<{ id: number; project_id: number; workflow_id: number | null }>(
      db,
      sql`UPDATE tasks SET status = 'failed', lease_token = NULL, lease_expires_at = NULL, updated_at = ${now},
          error_message = 'Lease expired after ' || attempts || ' attempts'
        WHERE status = 'processing' AND lease_expires_at < ${now} AND attempts >= ${maxAttempts}
        RETURNING id, project_id, workflow_id`,
    ),
  ]);
  return [...requeued, ...failed];
}
