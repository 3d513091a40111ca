import { and, asc, desc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawRun } from "../raw";
import { pipelineProjects, tasks, workflowEvents, workflows } from "../schema";
import type { WorkflowStatus, WorkflowType } from "../schema/studio";

export type WorkflowRow = typeof workflows.$inferSelect;

export async function insertWorkflow(
  db: Database,
  input: {
    ownerId: number;
    projectId: string;
    workflowType: WorkflowType;
    generator: string;
    options: Record<string, unknown>;
    currentStep: string;
    providers?: Record<string, unknown>;
    quote?: Record<string, unknown>;
  },
  now: number,
) {
  const [row] = await db
    .insert(workflows)
    .values({ ...input, status: "running", progress: 0, createdAt: now, updatedAt: now })
    .returning();
  if (!row) throw new Error("workflow insert returned no row");
  return row;
}

export async function findWorkflow(db: Database, ownerId: number, id: number) {
  const [row] = await db
    .select()
    .from(workflows)
    .where(and(eq(workflows.id, id), eq(workflows.ownerId, ownerId)))
    .limit(1);
  return row;
}

/** For the WorkflowRun object, which acts for the workflow's owner. */
export async function findWorkflowById(db: Database, id: number) {
  const [row] = await db.select().from(workflows).where(eq(workflows.id, id)).limit(1);
  return row;
}

/** Ids of a project's workflows that are still running or paused. */
export async function liveWorkflowIds(db: Database, ownerId: number, projectId: string) {
  const rows = await db
    .select({ id: workflows.id })
    .from(workflows)
    .where(
      and(
        eq(workflows.ownerId, ownerId),
        eq(workflows.projectId, projectId),
        inArray(workflows.status, ["running", "paused"]),
      ),
    );
  return rows.map((r) => r.id);
}

export async function listWorkflows(
  db: Database,
  ownerId: number,
  q: { projectId?: string | undefined; status?: WorkflowStatus | undefined; skip: number; limit: number },
) {
  const where = and(
    eq(workflows.ownerId, ownerId),
    q.projectId ? eq(workflows.projectId, q.projectId) : undefined,
    q.status ? eq(workflows.status, q.status) : undefined,
  );
  const [rows, totals] = await db.batch([
    db
      .select()
      .from(workflows)
      .where(where)
      .orderBy(desc(workflows.createdAt), desc(workflows.id))
      .limit(q.limit)
      .offset(q.skip),
    db.select({ total: sql<number>`COUNT(*)` }).from(workflows).where(where),
  ]);
  return { total: totals[0]?.total ?? 0, items: rows };
}

export function updateWorkflowStatement(
  db: Database,
  id: number,
  patch: Partial<
    Pick<WorkflowRow, "status" | "currentStep" | "progress" | "error" | "completedAt" | "pipelineProjectId">
  >,
  now: number,
  onlyIfStatus?: WorkflowStatus[],
) {
  return db
    .update(workflows)
    .set({ ...patch, updatedAt: now })
    .where(
      and(
        eq(workflows.id, id),
        onlyIfStatus
          ? sql`${workflows.status} IN (SELECT value FROM json_each(${JSON.stringify(onlyIfStatus)}))`
          : undefined,
      ),
    )
    .returning();
}

export function readEvents(db: Database, workflowId: number, after: number, limit: number) {
  return db
    .select()
    .from(workflowEvents)
    .where(and(eq(workflowEvents.workflowId, workflowId), gt(workflowEvents.id, after)))
    .orderBy(asc(workflowEvents.id))
    .limit(limit);
}

/** Events the WorkflowRun object has applied and persisted are no longer needed. */
export function deleteEvents(db: Database, workflowId: number, upTo: number) {
  return db
    .delete(workflowEvents)
    .where(and(eq(workflowEvents.workflowId, workflowId), lte(workflowEvents.id, upTo)));
}

/** The workflow a task belongs to, if any (n8n callbacks name only the task). */
export async function workflowIdOfTask(db: Database, taskId: number): Promise<number | null> {
  const [row] = await db.select({ id: tasks.workflowId }).from(tasks).where(eq(tasks.id, taskId)).limit(1);
  return row?.id ?? null;
}

/** The studio workflow a pipeline project runs, if any (n8n callbacks name only the project). */
export async function workflowIdOfPipelineProject(db: Database, projectId: number): Promise<number | null> {
  const [row] = await db
    .select({ id: pipelineProjects.studioWorkflowId })
    .from(pipelineProjects)
    .where(eq(pipelineProjects.id, projectId))
    .limit(1);
  return row?.id ?? null;
}

/** Links the workflow to the pipeline project created in the same batch (by its create ref). */
export function linkPipelineProjectStatement(db: Database, workflowId: number, ref: string, now: number) {
  return rawRun(
    db,
    sql`UPDATE workflows SET pipeline_project_id = (SELECT id FROM pipeline_projects WHERE create_ref = ${ref}), updated_at = ${now}
      WHERE id = ${workflowId}`,
  );
}
