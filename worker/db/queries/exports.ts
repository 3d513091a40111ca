import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll, rawRun } from "../raw";
import { exportsTable, studioProjects, workflows } from "../schema";
import type { ExportStatus } from "../schema/studio";
import { completeStudioProjectStatement } from "./project-progress";

export type ExportRow = typeof exportsTable.$inferSelect;

export interface NewExport {
  ref: string;
  ownerId: number;
  projectId: string;
  workflowId: number | null;
  /** The workflow step task, by id or by its create ref in the same batch. */
  task: { id: number } | { ref: string } | null;
  resolution: string;
  format: string;
  includeSubtitles: boolean;
  videoLength: number;
  cost: number;
  estimatedCompletionAt: number;
  musicAssetId: number | null;
}

/**
 * The batch that starts an export: credits reserved (the subscriptions CHECK refuses going over
 * the quota, which aborts the batch), the export row, its ledger entry and the outbox row that
 * dispatches it. Everything commits together or not at all.
 */
export function startExportStatements(db: Database, e: NewExport, now: number) {
  const taskId =
    e.task === null
      ? sql`NULL`
      : "id" in e.task
        ? sql`${e.task.id}`
        : sql`(SELECT id FROM tasks WHERE create_ref = ${e.task.ref})`;
  return [
    rawRun(
      db,
      sql`UPDATE subscriptions SET quota_used = quota_used + ${e.cost}, updated_at = ${now} WHERE user_id = ${e.ownerId}`,
    ),
    rawRun(
      db,
      sql`INSERT INTO exports (owner_id, project_id, workflow_id, task_id, create_ref, resolution, format, include_subtitles,
          status, progress, video_length, cost, estimated_completion_at, music_asset_id, created_at, updated_at)
        SELECT ${e.ownerId}, p.id, ${e.workflowId}, ${taskId}, ${e.ref}, ${e.resolution}, ${e.format}, ${e.includeSubtitles ? 1 : 0},
          'processing', 0, ${e.videoLength}, ${e.cost}, ${e.estimatedCompletionAt}, ${e.musicAssetId}, ${now}, ${now}
        FROM studio_projects p WHERE p.id = ${e.projectId} AND p.owner_id = ${e.ownerId} AND p.deleted_at IS NULL`,
    ),
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, export_id, description, created_at)
        SELECT owner_id, 'reserve', -cost, id, 'Reserved for export ' || id, ${now} FROM exports WHERE create_ref = ${e.ref}`,
    ),
    rawAll<{ id: number }>(
      db,
      sql`INSERT INTO outbox (owner_id, kind, dedupe_key, payload, status, attempts, created_at, updated_at)
        SELECT owner_id, 'render_dispatch', 'render_dispatch:' || id, json_object('export_id', id), 'pending', 0, ${now}, ${now}
        FROM exports WHERE create_ref = ${e.ref}
        RETURNING id`,
    ),
    db.select().from(exportsTable).where(eq(exportsTable.createRef, e.ref)),
  ] as const;
}

export async function findExport(db: Database, ownerId: number, id: number) {
  const [row] = await db
    .select()
    .from(exportsTable)
    .where(and(eq(exportsTable.id, id), eq(exportsTable.ownerId, ownerId)))
    .limit(1);
  return row;
}

export async function findExportById(db: Database, id: number) {
  const [row] = await db.select().from(exportsTable).where(eq(exportsTable.id, id)).limit(1);
  return row;
}

/** The export a workflow step has running, if any. */
export async function findActiveExportByTask(db: Database, taskId: number) {
  const [row] = await db
    .select()
    .from(exportsTable)
    .where(and(eq(exportsTable.taskId, taskId), sql`${exportsTable.status} IN ('queued', 'processing')`))
    .limit(1);
  return row;
}

export async function listExports(db: Database, ownerId: number, q: { skip: number; limit: number }) {
  const where = eq(exportsTable.ownerId, ownerId);
  const [rows, totals] = await db.batch([
    db
      .select({ export: exportsTable, projectName: studioProjects.name })
      .from(exportsTable)
      .leftJoin(studioProjects, eq(studioProjects.id, exportsTable.projectId))
      .where(where)
      .orderBy(desc(exportsTable.createdAt), desc(exportsTable.id))
      .limit(q.limit)
      .offset(q.skip),
    db.select({ total: sql<number>`COUNT(*)` }).from(exportsTable).where(where),
  ]);
  return { total: totals[0]?.total ?? 0, items: rows };
}

export function updateExportStatement(
  db: Database,
  id: number,
  patch: Partial<Omit<ExportRow, "id" | "ownerId" | "createdAt">>,
  now: number,
  onlyIfStatus?: ExportStatus[],
) {
  return db
    .update(exportsTable)
    .set({ ...patch, updatedAt: now })
    .where(
      and(
        eq(exportsTable.id, id),
        onlyIfStatus
          ? sql`${exportsTable.status} IN (SELECT value FROM json_each(${JSON.stringify(onlyIfStatus)}))`
          : undefined,
      ),
    )
    .returning();
}

/** A `render` workflow whose export batch failed: nothing else of it was written, so its row goes. */
export async function discardExportWorkflow(db: Database, workflowId: number) {
  await db.delete(workflows).where(eq(workflows.id, workflowId));
}

/**
 * What a completed export settles besides its own row: the ledger commits its reserved credits,
 * its usage is recorded once (one export, its video milliseconds) and its studio project is
 * completed.
 */
export function completedExportStatements(
  db: Database,
  exp: ExportRow,
  durationSeconds: number,
  now: number,
) {
  return [
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, export_id, description, created_at)
        VALUES (${exp.ownerId}, 'commit', 0, ${exp.id}, ${`Export ${exp.id} completed: ${exp.cost / 100} credits used`}, ${now})`,
    ),
    rawRun(
      db,
      sql`INSERT INTO usage_events (owner_id, kind, quantity, ref, occurred_at, created_at)
        VALUES (${exp.ownerId}, 'video_export', 1, ${`export:${exp.id}`}, ${now}, ${now})
        ON CONFLICT DO NOTHING`,
    ),
    completeStudioProjectStatement(db, exp.ownerId, exp.projectId, now),
    rawRun(
      db,
      sql`INSERT INTO usage_events (owner_id, kind, quantity, ref, occurred_at, created_at)
        VALUES (${exp.ownerId}, 'video_ms', ${Math.round(durationSeconds * 1000)}, ${`export:${exp.id}`}, ${now}, ${now})
        ON CONFLICT DO NOTHING`,
    ),
  ];
}

/**
 * What a failed or cancelled export settles: the ledger records the refund, and the credits go
 * back to the quota month they were taken from; if that month has since rolled over, the reset
 * already gave them back and the new month's usage is left alone.
 */
export function refundedExportStatements(
  db: Database,
  exp: ExportRow,
  outcome: "failed" | "cancelled",
  now: number,
) {
  return [
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, export_id, description, created_at)
        VALUES (${exp.ownerId}, 'refund', ${exp.cost}, ${exp.id}, ${`Export ${exp.id} ${outcome}: credits returned`}, ${now})`,
    ),
    rawRun(
      db,
      sql`UPDATE subscriptions SET quota_used = MAX(0, quota_used - ${exp.cost}), updated_at = ${now}
        WHERE user_id = ${exp.ownerId} AND current_period_start <= ${exp.createdAt}`,
    ),
  ];
}

/**
 * A render's progress, for one batch: the export's progress only moves forward while it runs, and
 * its workflow step (a render that reports is alive) keeps its lease until `leaseUntil`.
 */
export function renderProgressStatements(
  db: Database,
  exp: Pick<ExportRow, "id" | "taskId">,
  progress: number,
  leaseUntil: number,
  now: number,
) {
  return [
    rawRun(
      db,
      sql`UPDATE exports SET progress = MAX(progress, ${progress}), updated_at = ${now}
        WHERE id = ${exp.id} AND status IN ('queued', 'processing')`,
    ),
    rawRun(
      db,
      sql`UPDATE tasks SET lease_expires_at = MAX(COALESCE(lease_expires_at, 0), ${leaseUntil})
        WHERE id = ${exp.taskId ?? 0} AND status = 'processing'`,
    ),
  ] as const;
}

/** Running exports past their estimate (or creation) and silent since `before`, oldest first. */
export async function findStalledExports(db: Database, before: number, limit: number) {
  return rawAll<{ id: number }>(
    db,
    sql`SELECT id FROM exports WHERE status IN ('queued', 'processing')
        AND COALESCE(estimated_completion_at, created_at) < ${before}
        AND updated_at < ${before}
        ORDER BY id LIMIT ${limit}`,
  );
}

/** A workflow's exports that are still queued or rendering. */
export async function findLiveExportsOfWorkflow(db: Database, workflowId: number) {
  return db
    .select({ id: exportsTable.id })
    .from(exportsTable)
    .where(
      and(eq(exportsTable.workflowId, workflowId), inArray(exportsTable.status, ["queued", "processing"])),
    );
}
