import { and, asc, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll, rawRun } from "../raw";
import { type TaskStatus, tasks } from "../schema";

export type TaskRow = typeof tasks.$inferSelect;

/**
 * Which project a statement addresses: an existing id, one created earlier in the same batch, or
 * the project of the task a claim in the same batch just leased.
 */
export type ProjectSelector = { id: number } | { ref: string } | { leasedBy: string };

export function projectIdSql(sel: ProjectSelector): SQL {
  if ("id" in sel) return sql`${sel.id}`;
  if ("ref" in sel) return sql`(SELECT id FROM pipeline_projects WHERE create_ref = ${sel.ref})`;
  return sql`(SELECT project_id FROM tasks WHERE lease_token = ${sel.leasedBy})`;
}

/** A new task as the insert statement reads it from JSON. */
export interface NewTaskRow {
  ref: string;
  task_type: string;
  status: TaskStatus;
  priority: number;
  task_output: Record<string, unknown> | null;
  platform_account_id: number | null;
  commit_id: string | null;
  error_message: string | null;
  lease_expires_at: number | null;
  completed_at: number | null;
  workflow_id: number | null;
  step: string | null;
  parent_task_id: number | null;
  item_ref: string | null;
}

/**
 * D1 refuses a bound value over 2 MB (SQLITE_TOOBIG). Rows travel as one JSON parameter, so a
 * list is cut into pieces of at most this many bytes, one statement each (same batch).
 */
const JSON_PARAM_BYTES = 512 * 1024;
const encoder = new TextEncoder();

/** `rows` as JSON arrays of at most JSON_PARAM_BYTES each (a single larger row travels alone). */
export function jsonChunks(rows: readonly unknown[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let bytes = 2;
  for (const row of rows) {
    const text = JSON.stringify(row);
    const size = encoder.encode(text).byteLength + 1;
    if (current.length > 0 && bytes + size > JSON_PARAM_BYTES) {
      out.push(`[${current.join(",")}]`);
      current = [];
      bytes = 2;
    }
    current.push(text);
    bytes += size;
  }
  if (current.length > 0) out.push(`[${current.join(",")}]`);
  return out;
}

/**
 * Inserts every task of a graph with a constant number of statements, reading them from JSON
 * parameters (so a batch of 500 tasks stays far below D1's 100 bound parameters, and each
 * parameter below its 2 MB value limit). Joining the project row means a project that is not the
 * owner's, or was deleted meanwhile, receives nothing.
 */
export function insertTasksStatements(
  db: Database,
  ownerId: number,
  project: ProjectSelector,
  rows: NewTaskRow[],
  now: number,
) {
  return jsonChunks(rows).map((json) =>
    rawRun(
      db,
      sql`INSERT INTO tasks (owner_id, project_id, task_type, status, priority, dependencies, task_output,
        platform_account_id, commit_id, error_message, lease_expires_at, attempts, workflow_id, step,
        parent_task_id, item_ref, create_ref, completed_at, created_at, updated_at)
      SELECT ${ownerId}, p.id, json_extract(j.value, '$.task_type'), json_extract(j.value, '$.status'),
        json_extract(j.value, '$.priority'), '[]', json_extract(j.value, '$.task_output'),
        json_extract(j.value, '$.platform_account_id'), json_extract(j.value, '$.commit_id'),
        json_extract(j.value, '$.error_message'), json_extract(j.value, '$.lease_expires_at'), 0,
        json_extract(j.value, '$.workflow_id'), json_extract(j.value, '$.step'),
        json_extract(j.value, '$.parent_task_id'), json_extract(j.value, '$.item_ref'),
        json_extract(j.value, '$.ref'), json_extract(j.value, '$.completed_at'), ${now}, ${now}
      FROM json_each(${json}) j
      JOIN pipeline_projects p ON p.id = ${projectIdSql(project)} AND p.owner_id = ${ownerId} AND p.deleted_at IS NULL
      ORDER BY CAST(j.key AS INTEGER)`,
    ),
  );
}

/** Dependency edges of new tasks: `from` is a new task's ref; `id` an existing task or `to` a sibling's ref. */
export interface NewEdge {
  from: string;
  id?: number;
  to?: string;
}

export function insertEdgesStatements(db: Database, edges: NewEdge[]) {
  return jsonChunks(edges).map((json) =>
    rawRun(
      db,
      sql`INSERT INTO task_dependencies (task_id, depends_on_id)
        SELECT t.id, COALESCE(json_extract(e.value, '$.id'), d.id)
        FROM json_each(${json}) e
        JOIN tasks t ON t.create_ref = json_extract(e.value, '$.from')
        LEFT JOIN tasks d ON d.create_ref = json_extract(e.value, '$.to')
        WHERE COALESCE(json_extract(e.value, '$.id'), d.id) IS NOT NULL`,
    ),
  );
}

/** Incomplete dependencies of the task row being updated (correlated on `tasks.id`). */
const HAS_OPEN_DEPENDENCY = sql.raw(
  "EXISTS (SELECT 1 FROM task_dependencies d JOIN tasks x ON x.id = d.depends_on_id WHERE d.task_id = tasks.id AND x.status != 'completed')",
);

/** Fills the denormalised `dependencies` list and settles `pending` vs `waiting` for new tasks. */
export function finalizeNewTasksStatement(db: Database, refs: string[]) {
  return rawRun(
    db,
    sql`UPDATE tasks SET
        dependencies = COALESCE((SELECT json_group_array(depends_on_id) FROM
          (SELECT depends_on_id FROM task_dependencies WHERE task_id = tasks.id ORDER BY depends_on_id)), '[]'),
        status = CASE WHEN status = 'pending' AND ${HAS_OPEN_DEPENDENCY} THEN 'waiting' ELSE status END
      WHERE create_ref IN (SELECT value FROM json_each(${JSON.stringify(refs)}))`,
  );
}

export function selectTasksByRefs(db: Database, refs: string[]) {
  return db
    .select()
    .from(tasks)
    .where(sql`${tasks.createRef} IN (SELECT value FROM json_each(${JSON.stringify(refs)}))`)
    .orderBy(asc(tasks.id));
}

function countTasks(project: SQL, condition?: string): SQL {
  const extra = condition ? sql.raw(` AND ${condition}`) : sql``;
  return sql`(SELECT COUNT(*) FROM tasks WHERE project_id = ${project} AND deleted_at IS NULL${extra})`;
}

/**
 * Recomputes a project's counters and status from its tasks, within the batch that changed them.
 * Status follows the allowed transitions (PIPELINE_TRANSITIONS): all completed → completed; failed with nothing left to run →
 * failed; anything started → processing; a finished project that gained new work reopens.
 */
export function rollupProjectStatement(db: Database, project: ProjectSelector, now: number) {
  const p = projectIdSql(project);
  return rawRun(
    db,
    sql`UPDATE pipeline_projects SET
        total_tasks = ${countTasks(p)},
        completed_tasks = ${countTasks(p, "status = 'completed'")},
        failed_tasks = ${countTasks(p, "status = 'failed'")},
        status = CASE
          WHEN ${countTasks(p)} = 0 THEN status
          WHEN ${countTasks(p, "status != 'completed'")} = 0 THEN 'completed'
          WHEN ${countTasks(p, "status = 'failed'")} > 0
            AND ${countTasks(p, "status IN ('waiting', 'pending', 'processing')")} = 0 THEN 'failed'
          WHEN ${countTasks(p, "status NOT IN ('waiting', 'pending')")} > 0 THEN 'processing'
          WHEN status = 'completed' THEN 'processing'
          WHEN status = 'failed' THEN 'pending'
          ELSE status END,
        updated_at = ${now}
      WHERE id = ${p}`,
  );
}

export interface TaskUpdateInput {
  ownerId: number;
  taskId: number;
  /** The status the caller saw; the update applies only if the task is still in it. */
  expectedStatus: TaskStatus;
  /** For fenced (worker) updates: the lease token the caller holds. */
  leaseToken?: string | undefined;
  target: TaskStatus;
  output?: Record<string, unknown> | null | undefined;
  errorMessage?: string | null | undefined;
  commitId?: string | undefined;
  defaultLeaseMs: number;
  now: number;
}

/** One task's state change, guarded by the status (and lease) the caller validated against. */
export function updateTaskStatement(db: Database, u: TaskUpdateInput) {
  const processing = u.target === "processing";
  return db
    .update(tasks)
    .set({
      status:
        u.target === "pending" || u.target === "waiting"
          ? sql`CASE WHEN ${HAS_OPEN_DEPENDENCY} THEN 'waiting' ELSE 'pending' END`
          : u.target,
      ...(u.output !== undefined ? { taskOutput: u.output } : {}),
      ...(u.errorMessage !== undefined ? { errorMessage: u.errorMessage } : {}),
      ...(u.commitId !== undefined ? { commitId: sql`COALESCE(${tasks.commitId}, ${u.commitId})` } : {}),
      completedAt:
        u.target === "completed"
          ? u.now
          : u.target === "pending" || u.target === "waiting"
            ? null
            : sql`${tasks.completedAt}`,
      startedAt: processing ? sql`COALESCE(${tasks.startedAt}, ${u.now})` : sql`${tasks.startedAt}`,
      leaseToken: processing ? sql`${tasks.leaseToken}` : null,
      leaseExpiresAt: processing ? sql`COALESCE(${tasks.leaseExpiresAt}, ${u.now + u.defaultLeaseMs})` : null,
      updatedAt: u.now,
    })
    .where(
      and(
        eq(tasks.id, u.taskId),
        eq(tasks.ownerId, u.ownerId),
        isNull(tasks.deletedAt),
        eq(tasks.status, u.expectedStatus),
        u.leaseToken !== undefined
          ? and(eq(tasks.leaseToken, u.leaseToken), sql`${tasks.leaseExpiresAt} > ${u.now}`)
          : undefined,
      ),
    )
    .returning();
}

/** Dependents whose every dependency is now complete move from waiting to pending. */
export function releaseDependentsStatement(db: Database, completedIds: number[], now: number) {
  return rawAll<{ id: number }>(
    db,
    sql`UPDATE tasks SET status = 'pending', updated_at = ${now}
      WHERE status = 'waiting' AND deleted_at IS NULL
        AND id IN (SELECT task_id FROM task_dependencies
                   WHERE depends_on_id IN (SELECT value FROM json_each(${JSON.stringify(completedIds)})))
        AND NOT ${HAS_OPEN_DEPENDENCY}
      RETURNING id`,
  );
}

/**
 * A completed task that nothing depends on is the project's final output: if it reported an
 * asset of the same owner, the project points at it.
 */
export function outputAssetStatement(db: Database, ownerId: number, taskId: number, assetId: number) {
  return rawRun(
    db,
    sql`UPDATE pipeline_projects SET output_asset_id = ${assetId}
      WHERE id = (SELECT project_id FROM tasks WHERE id = ${taskId} AND owner_id = ${ownerId} AND status = 'completed')
        AND NOT EXISTS (SELECT 1 FROM task_dependencies WHERE depends_on_id = ${taskId})
        AND EXISTS (SELECT 1 FROM assets WHERE id = ${assetId} AND owner_id = ${ownerId} AND deleted_at IS NULL)`,
  );
}

export async function findTask(db: Database, ownerId: number, taskId: number) {
  const [row] = await db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, taskId), eq(tasks.ownerId, ownerId), isNull(tasks.deletedAt)))
    .limit(1);
  return row;
}

/** Tasks by id or by commit id, the owner's only, for validating an update before applying it. */
export async function findTasksForUpdate(db: Database, ownerId: number, ids: number[], commitIds: string[]) {
  if (ids.length === 0 && commitIds.length === 0) return [];
  return db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.ownerId, ownerId),
        isNull(tasks.deletedAt),
        sql`(${tasks.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))
          OR ${tasks.commitId} IN (SELECT value FROM json_each(${JSON.stringify(commitIds)})))`,
      ),
    );
}

/** Existing tasks named as dependencies: only the owner's live tasks count. */
export async function findDependencyTargets(db: Database, ownerId: number, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: tasks.id, projectId: tasks.projectId })
    .from(tasks)
    .where(
      and(
        eq(tasks.ownerId, ownerId),
        isNull(tasks.deletedAt),
        sql`${tasks.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
      ),
    );
}

export async function findCommitIds(db: Database, ownerId: number, commitIds: string[]) {
  if (commitIds.length === 0) return [];
  return db
    .select({ commitId: tasks.commitId })
    .from(tasks)
    .where(
      and(
        eq(tasks.ownerId, ownerId),
        sql`${tasks.commitId} IN (SELECT value FROM json_each(${JSON.stringify(commitIds)}))`,
      ),
    );
}

function statusFilter(status: TaskStatus, now: number): SQL {
  if (status === "pending") {
    return sql`(${tasks.status} = 'pending' OR (${tasks.status} = 'processing' AND ${tasks.leaseExpiresAt} < ${now}))`;
  }
  if (status === "processing") {
    return sql`(${tasks.status} = 'processing' AND (${tasks.leaseExpiresAt} IS NULL OR ${tasks.leaseExpiresAt} >= ${now}))`;
  }
  return eq(tasks.status, status);
}

export async function listTasks(
  db: Database,
  ownerId: number,
  q: {
    skip: number;
    limit: number;
    status?: TaskStatus | undefined;
    taskType?: string | undefined;
    projectId?: number | undefined;
    now: number;
  },
) {
  return db
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.ownerId, ownerId),
        isNull(tasks.deletedAt),
        q.status ? statusFilter(q.status, q.now) : undefined,
        q.taskType ? eq(tasks.taskType, q.taskType) : undefined,
        q.projectId !== undefined ? eq(tasks.projectId, q.projectId) : undefined,
      ),
    )
    .orderBy(asc(tasks.id))
    .limit(q.limit)
    .offset(q.skip);
}

export async function listProjectTasks(db: Database, ownerId: number, projectId: number) {
  return db
    .select()
    .from(tasks)
    .where(and(eq(tasks.ownerId, ownerId), eq(tasks.projectId, projectId), isNull(tasks.deletedAt)))
    .orderBy(asc(tasks.id));
}
