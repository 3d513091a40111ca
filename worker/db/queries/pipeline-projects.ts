import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawRun } from "../raw";
import { type PipelineStatus, pipelineProjects } from "../schema";

export type PipelineProjectRow = typeof pipelineProjects.$inferSelect;

const owned = (ownerId: number, id: number) =>
  and(eq(pipelineProjects.id, id), eq(pipelineProjects.ownerId, ownerId), isNull(pipelineProjects.deletedAt));

export interface NewPipelineProject {
  name: string;
  projectType: string;
  initialParameters: Record<string, unknown> | null;
  inspirationId: number | null;
  usedTransformWorkflowId?: string | null;
  studioWorkflowId?: number | null;
}

/** The insert for a batch; `ref` lets later statements of the batch address the new row. */
export function insertPipelineProjectStatement(
  db: Database,
  ownerId: number,
  input: NewPipelineProject,
  ref: string,
  now: number,
) {
  return db.insert(pipelineProjects).values({
    ownerId,
    name: input.name,
    projectType: input.projectType,
    status: "pending",
    initialParameters: input.initialParameters,
    inspirationId: input.inspirationId,
    usedTransformWorkflowId: input.usedTransformWorkflowId ?? null,
    studioWorkflowId: input.studioWorkflowId ?? null,
    createRef: ref,
    createdAt: now,
    updatedAt: now,
  });
}

export function selectPipelineProjectByRef(db: Database, ref: string) {
  return db.select().from(pipelineProjects).where(eq(pipelineProjects.createRef, ref)).limit(1);
}

export async function findPipelineProject(db: Database, ownerId: number, id: number) {
  const [row] = await db.select().from(pipelineProjects).where(owned(ownerId, id)).limit(1);
  return row;
}

export async function listPipelineProjects(
  db: Database,
  ownerId: number,
  q: { skip: number; limit: number },
) {
  return db
    .select()
    .from(pipelineProjects)
    .where(and(eq(pipelineProjects.ownerId, ownerId), isNull(pipelineProjects.deletedAt)))
    .orderBy(asc(pipelineProjects.id))
    .limit(q.limit)
    .offset(q.skip);
}

export type PipelineProjectPatch = Partial<{
  name: string;
  initialParameters: Record<string, unknown> | null;
  inspirationId: number | null;
  status: PipelineStatus;
  score: number | null;
  scoreDetails: Record<string, unknown> | null;
  reviewNotes: string | null;
  usedExecutionWorkflowId: string | null;
}>;

/** Guarded by the status the caller validated the transition against. */
export function updatePipelineProjectStatement(
  db: Database,
  ownerId: number,
  id: number,
  expectedStatus: PipelineStatus,
  patch: PipelineProjectPatch,
  now: number,
) {
  return db
    .update(pipelineProjects)
    .set({ ...patch, updatedAt: now })
    .where(and(owned(ownerId, id), eq(pipelineProjects.status, expectedStatus)))
    .returning();
}

/**
 * Soft-deletes a project and, in the same batch, its tasks: unfinished ones are cancelled and lose
 * their leases, and all are marked deleted, so no read, update or claim can reach them afterwards.
 * The task statement only applies if this batch deleted the project (a claim is one statement and
 * D1 runs one at a time: it either ran before, and its task is cancelled here, or finds nothing).
 */
export async function softDeletePipelineProject(db: Database, ownerId: number, id: number, now: number) {
  const [rows] = await db.batch([
    db
      .update(pipelineProjects)
      .set({ deletedAt: now, updatedAt: now })
      .where(owned(ownerId, id))
      .returning({ id: pipelineProjects.id }),
    rawRun(
      db,
      sql`UPDATE tasks SET
          status = CASE WHEN status IN ('waiting', 'pending', 'processing') THEN 'cancelled' ELSE status END,
          lease_token = NULL, lease_expires_at = NULL, deleted_at = ${now}, updated_at = ${now}
        WHERE project_id = ${id} AND owner_id = ${ownerId} AND deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM pipeline_projects WHERE id = ${id} AND owner_id = ${ownerId} AND deleted_at = ${now})`,
    ),
  ]);
  return rows.length > 0;
}

/** Failed tasks of a project go back to waiting/pending (regenerate). */
export function retryFailedTasksStatement(db: Database, ownerId: number, projectId: number, now: number) {
  return rawRun(
    db,
    sql`UPDATE tasks SET
        status = CASE WHEN EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks x ON x.id = d.depends_on_id
                                   WHERE d.task_id = tasks.id AND x.status != 'completed') THEN 'waiting' ELSE 'pending' END,
        error_message = NULL, completed_at = NULL, lease_token = NULL, lease_expires_at = NULL, updated_at = ${now}
      WHERE project_id = ${projectId} AND owner_id = ${ownerId} AND status = 'failed' AND deleted_at IS NULL`,
  );
}

/** An n8n project execution reported back: its execution id is kept, with the status it moved to. */
export function recordProjectExecutionStatement(
  db: Database,
  projectId: number,
  executionId: string,
  status: PipelineStatus | undefined,
  now: number,
) {
  return db
    .update(pipelineProjects)
    .set({ usedExecutionWorkflowId: executionId, updatedAt: now, ...(status ? { status } : {}) })
    .where(sql`${pipelineProjects.id} = ${projectId}`);
}
