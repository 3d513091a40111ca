import { randomToken } from "../../../contracts/crypto";
import { runBatch, type Statement } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import { findPlatformAccountIds } from "../../db/queries/platform-accounts";
import {
  finalizeNewTasksStatement,
  findCommitIds,
  findDependencyTargets,
  findTask,
  findTasksForUpdate,
  insertEdgesStatements,
  insertTasksStatements,
  listTasks,
  type NewEdge,
  type NewTaskRow,
  outputAssetStatement,
  type ProjectSelector,
  releaseDependentsStatement,
  rollupProjectStatement,
  selectTasksByRefs,
  type TaskRow,
  updateTaskStatement,
} from "../../db/queries/tasks";
import type { TaskStatus } from "../../db/schema/automation";
import type { AppConfig } from "../../platform/config";
import { AppError, badRequest, conflict, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { isWorkflowItem, prepareItemCompletion } from "../workflows/item-completion";
import { type DependencyRef, planGraph } from "./graph";
import { assertTaskTransition, transitionError } from "./transitions";

/** A task to create, as both surfaces describe it. */
export interface TaskSpec {
  task_type: string;
  status?: TaskStatus | undefined;
  dependencies?: DependencyRef[] | undefined;
  task_output?: Record<string, unknown> | null | undefined;
  platform_account_id?: number | null | undefined;
  commit_id?: string | null | undefined;
  error_message?: string | null | undefined;
  priority?: number | undefined;
  /** Studio workflow linkage (set by the workflow runner, never by API clients). */
  workflow_id?: number | null | undefined;
  step?: string | null | undefined;
  parent_task_id?: number | null | undefined;
  item_ref?: string | null | undefined;
}

export interface PreparedGraph {
  statements: Statement[];
  refs: string[];
}

/**
 * Validates a task graph against the database (dependencies exist, are the owner's and in the same
 * project; commit ids and platform accounts are valid) and returns the statements that create it
 * atomically, in any batch. New tasks start `waiting` or `pending` from their dependencies;
 * `completed` and `failed` may be imported as such; `processing` gets a default lease.
 */
export async function prepareTaskGraph(
  ctx: AppContext,
  ownerId: number,
  project: ProjectSelector,
  specs: readonly TaskSpec[],
): Promise<PreparedGraph> {
  const plan = planGraph(specs);
  const projectId = "id" in project ? project.id : null;

  const [targets, takenCommits, accounts] = await Promise.all([
    findDependencyTargets(ctx.db, ownerId, plan.externalIds),
    findCommitIds(
      ctx.db,
      ownerId,
      specs.flatMap((s) => (s.commit_id ? [s.commit_id] : [])),
    ),
    findPlatformAccountIds(
      ctx.db,
      ownerId,
      specs.flatMap((s) => (s.platform_account_id ? [s.platform_account_id] : [])),
    ),
  ]);
  const targetProject = new Map(targets.map((t) => [t.id, t.projectId]));
  for (const id of plan.externalIds) {
    const owner = targetProject.get(id);
    if (owner === undefined) throw badRequest(`Dependency task ${id} not found`);
    if (owner !== projectId) throw badRequest(`Dependency task ${id} belongs to another project`);
  }
  const taken = takenCommits[0]?.commitId;
  if (taken) throw conflict(`A task with commit_id '${taken}' already exists`);
  const knownAccounts = new Set(accounts.map((a) => a.id));
  for (const s of specs) {
    if (s.platform_account_id && !knownAccounts.has(s.platform_account_id)) {
      throw badRequest(`Platform account ${s.platform_account_id} not found`);
    }
  }

  const batchId = randomToken(9);
  const refs = specs.map((_, i) => `${batchId}:${i}`);
  const rows: NewTaskRow[] = specs.map((s, i) => {
    const status: TaskStatus =
      s.status === "completed" || s.status === "failed" || s.status === "processing" ? s.status : "pending";
    return {
      ref: refs[i] as string,
      task_type: s.task_type,
      status,
      priority: s.priority ?? 0,
      task_output: s.task_output ?? null,
      platform_account_id: s.platform_account_id ?? null,
      commit_id: s.commit_id ?? null,
      error_message: s.error_message ?? null,
      lease_expires_at:
        status === "processing" ? ctx.now + ctx.config.tasks.defaultLeaseSeconds * 1000 : null,
      completed_at: status === "completed" ? ctx.now : null,
      workflow_id: s.workflow_id ?? null,
      step: s.step ?? null,
      parent_task_id: s.parent_task_id ?? null,
      item_ref: s.item_ref ?? null,
    };
  });
  const edges: NewEdge[] = [];
  refs.forEach((from, i) => {
    for (const id of plan.external[i] ?? []) edges.push({ from, id });
    for (const j of plan.internal[i] ?? []) edges.push({ from, to: refs[j] as string });
  });

  const statements: Statement[] = [...insertTasksStatements(ctx.db, ownerId, project, rows, ctx.now)];
  if (edges.length > 0) statements.push(...insertEdgesStatements(ctx.db, edges));
  statements.push(finalizeNewTasksStatement(ctx.db, refs), rollupProjectStatement(ctx.db, project, ctx.now));
  return { statements, refs };
}

/** Runs a batch that creates tasks, mapping constraint failures to clear errors. */
export async function runTaskBatch<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (isUniqueViolation(err, "tasks.owner_id, tasks.commit_id"))
      throw conflict("A task with this commit_id already exists");
    if (isGuardAbort(err))
      throw conflict("A task changed while this request was applied; nothing was changed, retry");
    throw err;
  }
}

/** Creates tasks in an existing project (one batch) and returns them as stored. */
export async function createTasks(
  ctx: AppContext,
  ownerId: number,
  projectId: number,
  specs: readonly TaskSpec[],
) {
  if (specs.length === 0) return [];
  const graph = await prepareTaskGraph(ctx, ownerId, { id: projectId }, specs);
  const results = await runTaskBatch(() =>
    runBatch(ctx.db, [...graph.statements, selectTasksByRefs(ctx.db, graph.refs)]),
  );
  const created = results.at(-1) as TaskRow[];
  if (created.length !== specs.length) throw notFound("Project");
  return created;
}

export interface TaskUpdate {
  locator: { id: number } | { commitId: string };
  status?: TaskStatus | undefined;
  task_output?: Record<string, unknown> | null | undefined;
  error_message?: string | null | undefined;
  /** Sets the task's commit id if it has none. */
  commit_id?: string | undefined;
  /** The claim's fencing token; required from credentials that only hold the `worker` scope. */
  lease_token?: string | undefined;
}

export interface PreparedUpdates {
  statements: Statement[];
  /** Index of the release statement in `statements`, when there is one. */
  releaseAt: number | null;
  /** The tasks the updates address, in request order, as they were before. */
  before: TaskRow[];
  /** Ids whose state this batch changes (not counting released dependents). */
  changed: number[];
  /** Tasks left alone because the update would move a finished task backwards (webhooks only). */
  ignored: number[];
}

export interface AppliedUpdates {
  /** The tasks in request order, as stored after the update. */
  tasks: TaskRow[];
  /** Ids of tasks that changed, including dependents released to pending. */
  changedIds: number[];
  ignoredIds: number[];
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * Validates task updates and returns the statements that apply them atomically, in any batch:
 * each goes through the state machine and, for workers, the lease fence; completions release
 * dependents and roll the projects up in the same batch. An update identical to the stored state
 * produces no statement, so replays change nothing. With `ignoreRegressions` (n8n callbacks, which
 * may arrive late and out of order) an update that would move a completed or cancelled task
 * backwards is skipped instead of refused.
 */
export async function prepareTaskUpdates(
  ctx: AppContext,
  ownerId: number,
  updates: readonly TaskUpdate[],
  opts: { leaseRequired: boolean; ignoreRegressions?: boolean; itemHook?: boolean },
): Promise<PreparedUpdates> {
  const ids = updates.flatMap((u) => ("id" in u.locator ? [u.locator.id] : []));
  const commits = updates.flatMap((u) => ("commitId" in u.locator ? [u.locator.commitId] : []));
  const found = await findTasksForUpdate(ctx.db, ownerId, ids, commits);
  const byId = new Map(found.map((t) => [t.id, t]));
  const byCommit = new Map(found.flatMap((t) => (t.commitId ? [[t.commitId, t] as const] : [])));

  const resolved = updates.map((u) => {
    const task = "id" in u.locator ? byId.get(u.locator.id) : byCommit.get(u.locator.commitId);
    if (!task) {
      throw notFound(
        "id" in u.locator ? `Task ${u.locator.id}` : `Task with commit_id '${u.locator.commitId}'`,
      );
    }
    return { u, task };
  });
  if (new Set(resolved.map((r) => r.task.id)).size !== resolved.length) {
    throw badRequest("The same task appears more than once in the request");
  }

  const statements: Statement[] = [];
  const completed: number[] = [];
  const projects = new Set<number>();
  const changed: number[] = [];
  const ignored: number[] = [];
  for (const { u, task } of resolved) {
    const from = task.status;
    const target = u.status ?? (from === "waiting" ? "pending" : from);
    const fenced = opts.leaseRequired || u.lease_token !== undefined;
    if (fenced) {
      if (!u.lease_token) throw badRequest("lease_token is required for worker updates");
      if (
        from !== "processing" ||
        task.leaseToken !== u.lease_token ||
        (task.leaseExpiresAt ?? 0) <= ctx.now
      ) {
        throw badRequest("Lease expired");
      }
    }
    const outputChanges = u.task_output !== undefined && !sameJson(u.task_output, task.taskOutput);
    const errorChanges = u.error_message !== undefined && u.error_message !== task.errorMessage;
    const commitChanges = u.commit_id !== undefined && task.commitId === null;
    if (u.commit_id !== undefined && task.commitId !== null && task.commitId !== u.commit_id) {
      throw badRequest(`Task ${task.id} already has commit_id '${task.commitId}'`);
    }
    const sameState = target === from || (from === "waiting" && target === "pending");
    if (sameState && !outputChanges && !errorChanges && !commitChanges) continue; // a replay: nothing to do
    const finished = from === "completed" || from === "cancelled";
    if (finished && opts.ignoreRegressions) {
      ignored.push(task.id);
      continue;
    }
    if (sameState && finished) throw transitionError(from, target);
    assertTaskTransition(from, target);
    if (target === "processing" && from === "waiting") {
      throw badRequest(`Task ${task.id} is waiting for its dependencies`);
    }
    statements.push(
      updateTaskStatement(ctx.db, {
        ownerId,
        taskId: task.id,
        expectedStatus: from,
        leaseToken: fenced ? u.lease_token : undefined,
        target,
        output: u.task_output,
        errorMessage: u.error_message,
        commitId: commitChanges ? u.commit_id : undefined,
        defaultLeaseMs: ctx.config.tasks.defaultLeaseSeconds * 1000,
        now: ctx.now,
      }),
      abortUnlessChanged(ctx.db, `task:${task.id}`),
    );
    changed.push(task.id);
    projects.add(task.projectId);
    if (target === "completed") completed.push(task.id);
  }

  // Workflow items completed by external workers bring their image (core/workflows/item-completion.ts).
  const itemStatements: Statement[] = [];
  if (opts.itemHook !== false) {
    for (const { u, task } of resolved) {
      if (!completed.includes(task.id) || !isWorkflowItem(task)) continue;
      itemStatements.push(
        ...(await prepareItemCompletion(
          ctx,
          task,
          u.task_output ?? (task.taskOutput as Record<string, unknown> | null),
        )),
      );
    }
  }
  statements.push(...itemStatements);

  let releaseAt: number | null = null;
  if (completed.length > 0) {
    releaseAt = statements.length;
    statements.push(releaseDependentsStatement(ctx.db, completed, ctx.now));
  }
  for (const { u, task } of resolved) {
    const assetId = u.task_output?.asset_id;
    if (completed.includes(task.id) && typeof assetId === "number" && Number.isInteger(assetId)) {
      statements.push(outputAssetStatement(ctx.db, ownerId, task.id, assetId));
    }
  }
  for (const projectId of projects)
    statements.push(rollupProjectStatement(ctx.db, { id: projectId }, ctx.now));
  return { statements, releaseAt, before: resolved.map((r) => r.task), changed, ignored };
}

/** Ids of dependents a prepared batch released, read from its results. */
export function releasedIds(prepared: PreparedUpdates, results: readonly unknown[], offset = 0): number[] {
  if (prepared.releaseAt === null) return [];
  return ((results[offset + prepared.releaseAt] as { id: number }[] | undefined) ?? []).map((r) => r.id);
}

/** Prepares and runs task updates in one batch, and returns the tasks as stored afterwards. */
export async function applyTaskUpdates(
  ctx: AppContext,
  ownerId: number,
  updates: readonly TaskUpdate[],
  opts: { leaseRequired: boolean; ignoreRegressions?: boolean; itemHook?: boolean },
): Promise<AppliedUpdates> {
  const prepared = await prepareTaskUpdates(ctx, ownerId, updates, opts);
  let released: number[] = [];
  if (prepared.statements.length > 0) {
    const results = await runTaskBatch(() => runBatch(ctx.db, prepared.statements));
    released = releasedIds(prepared, results);
  }
  return {
    tasks: await reloadTasks(ctx, ownerId, prepared),
    changedIds: [...prepared.changed, ...released],
    ignoredIds: prepared.ignored,
  };
}

/** The addressed tasks as stored now, in request order. */
export async function reloadTasks(
  ctx: AppContext,
  ownerId: number,
  prepared: PreparedUpdates,
): Promise<TaskRow[]> {
  if (prepared.changed.length === 0) return prepared.before;
  const after = await findTasksForUpdate(
    ctx.db,
    ownerId,
    prepared.before.map((t) => t.id),
    [],
  );
  const byId = new Map(after.map((t) => [t.id, t]));
  return prepared.before.map((t) => byId.get(t.id) ?? t);
}

export function assertLeaseSeconds(config: AppConfig, seconds: number | undefined): number {
  const value = seconds ?? config.tasks.defaultLeaseSeconds;
  if (value < 1 || value > config.tasks.maxLeaseSeconds) {
    throw new AppError("BAD_REQUEST", `lease_seconds must be between 1 and ${config.tasks.maxLeaseSeconds}`);
  }
  return value;
}

export async function getTask(ctx: AppContext, ownerId: number, id: number): Promise<TaskRow> {
  const task = await findTask(ctx.db, ownerId, id);
  if (!task) throw notFound("Task");
  return task;
}

export function listOwnTasks(
  ctx: AppContext,
  ownerId: number,
  q: Omit<Parameters<typeof listTasks>[2], "now">,
): Promise<TaskRow[]> {
  return listTasks(ctx.db, ownerId, { ...q, now: ctx.now });
}
