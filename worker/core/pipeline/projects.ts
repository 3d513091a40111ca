import { randomToken } from "../../../contracts/crypto";
import { type Database, runBatch, type Statement } from "../../db/client";
import { abortUnlessChanged } from "../../db/guard";
import { findInspiration } from "../../db/queries/inspirations";
import { triggerIds } from "../../db/queries/outbox";
import {
  findPipelineProject,
  insertPipelineProjectStatement,
  listPipelineProjects,
  type PipelineProjectPatch,
  type PipelineProjectRow,
  retryFailedTasksStatement,
  selectPipelineProjectByRef,
  softDeletePipelineProject,
  updatePipelineProjectStatement,
} from "../../db/queries/pipeline-projects";
import {
  listProjectTasks,
  rollupProjectStatement,
  selectTasksByRefs,
  type TaskRow,
} from "../../db/queries/tasks";
import type { PipelineStatus } from "../../db/schema/automation";
import { badRequest, notFound } from "../../platform/errors";
import { storedJson } from "../../platform/json-schema";
import type { AppContext } from "../context";
import { newTrigger, triggerStatement } from "../n8n/triggers";
import { enqueueOutbox } from "../outbox";
import { prepareTaskGraph, runTaskBatch, type TaskSpec } from "../tasks/engine";
import { assertProjectTransition } from "../tasks/transitions";

export interface NewProjectInput {
  name: string;
  project_type: string;
  initial_parameters?: Record<string, unknown> | null | undefined;
  inspiration_id?: number | null | undefined;
  tasks?: TaskSpec[] | undefined;
}

async function assertInspiration(db: Database, ownerId: number, id: number | null | undefined) {
  if (id == null) return;
  if (!(await findInspiration(db, ownerId, id))) throw badRequest(`Inspiration ${id} not found`);
}

/**
 * The statements that create a project and its task graph in one batch (also used by the
 * project-creation webhook), and a reader for the created rows in the batch results.
 */
export async function prepareProjectCreation(
  ctx: AppContext,
  ownerId: number,
  input: NewProjectInput & { usedTransformWorkflowId?: string | null; studioWorkflowId?: number | null },
) {
  await assertInspiration(ctx.db, ownerId, input.inspiration_id);
  const ref = `prj_${randomToken(12)}`;
  const graph = await prepareTaskGraph(ctx, ownerId, { ref }, input.tasks ?? []);
  const hasTasks = (input.tasks ?? []).length > 0;
  const statements: Statement[] = [
    insertPipelineProjectStatement(
      ctx.db,
      ownerId,
      {
        name: input.name,
        projectType: input.project_type,
        initialParameters: input.initial_parameters ?? {},
        inspirationId: input.inspiration_id ?? null,
        usedTransformWorkflowId: input.usedTransformWorkflowId ?? null,
        studioWorkflowId: input.studioWorkflowId ?? null,
      },
      ref,
      ctx.now,
    ),
    ...(hasTasks ? graph.statements : []),
    selectPipelineProjectByRef(ctx.db, ref),
    selectTasksByRefs(ctx.db, graph.refs),
  ];
  return {
    ref,
    /** The create refs of the tasks, in input order (for statements that point at them in the batch). */
    taskRefs: graph.refs,
    statements,
    read(results: readonly unknown[], offset = 0) {
      const at = offset + statements.length;
      const project = (results[at - 2] as PipelineProjectRow[])[0];
      if (!project) throw new Error("created project not found");
      return { project, tasks: results[at - 1] as TaskRow[] };
    },
  };
}

export async function createProject(ctx: AppContext, ownerId: number, input: NewProjectInput) {
  const creation = await prepareProjectCreation(ctx, ownerId, input);
  const results = await runTaskBatch(() => runBatch(ctx.db, creation.statements));
  return creation.read(results);
}

export async function getProject(ctx: AppContext, ownerId: number, id: number) {
  const project = await findPipelineProject(ctx.db, ownerId, id);
  if (!project) throw notFound("Project");
  return { project, tasks: await listProjectTasks(ctx.db, ownerId, id) };
}

export function listProjects(ctx: AppContext, ownerId: number, q: { skip: number; limit: number }) {
  return listPipelineProjects(ctx.db, ownerId, q);
}

export interface ProjectUpdateInput {
  name?: string | undefined;
  initial_parameters?: Record<string, unknown> | null | undefined;
  inspiration_id?: number | null | undefined;
  status?: PipelineStatus | undefined;
  score?: number | null | undefined;
  score_details?: Record<string, unknown> | null | undefined;
  review_notes?: string | null | undefined;
}

/** Updates fields; a status change must follow the allowed transitions exactly (PIPELINE_TRANSITIONS). */
export async function updateProject(ctx: AppContext, ownerId: number, id: number, input: ProjectUpdateInput) {
  const current = await findPipelineProject(ctx.db, ownerId, id);
  if (!current) throw notFound("Project");
  if (input.status !== undefined) assertProjectTransition(current.status, input.status);
  await assertInspiration(ctx.db, ownerId, input.inspiration_id);
  const patch: PipelineProjectPatch = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.initial_parameters !== undefined) patch.initialParameters = input.initial_parameters;
  if (input.inspiration_id !== undefined) patch.inspirationId = input.inspiration_id;
  if (input.status !== undefined) patch.status = input.status;
  if (input.score !== undefined) patch.score = input.score;
  if (input.score_details !== undefined) patch.scoreDetails = input.score_details;
  if (input.review_notes !== undefined) patch.reviewNotes = input.review_notes;
  const [rows] = await runTaskBatch(() =>
    ctx.db.batch([
      updatePipelineProjectStatement(ctx.db, ownerId, id, current.status, patch, ctx.now),
      abortUnlessChanged(ctx.db, `project:${id}`),
    ]),
  );
  return getProject(ctx, ownerId, (rows[0] as PipelineProjectRow).id);
}

/** A project that holds a studio workflow's graph is driven by that workflow, not by hand. */
function assertNotWorkflowProject(project: PipelineProjectRow, what: string) {
  if (project.studioWorkflowId !== null) {
    throw badRequest(
      `Project ${project.id} runs studio workflow ${project.studioWorkflowId}; ${what} it through /api/v1/workflows/${project.studioWorkflowId}`,
    );
  }
}

export async function deleteProject(ctx: AppContext, ownerId: number, id: number) {
  const project = await findPipelineProject(ctx.db, ownerId, id);
  if (!project) throw notFound("Project");
  assertNotWorkflowProject(project, "cancel");
  if (!(await softDeletePipelineProject(ctx.db, ownerId, id, ctx.now))) throw notFound("Project");
}

/** Recounts total/completed/failed tasks and the status they imply. */
export async function recalculateTasks(ctx: AppContext, ownerId: number, id: number) {
  if (!(await findPipelineProject(ctx.db, ownerId, id))) throw notFound("Project");
  await ctx.db.batch([rollupProjectStatement(ctx.db, { id }, ctx.now)]);
  return getProject(ctx, ownerId, id);
}

/**
 * Regenerate: failed tasks go back to waiting/pending and the execution flow is
 * triggered, in one batch. Answers at once with our trigger id as `execution_id`; n8n's own
 * executionId arrives with its callback.
 */
export async function regenerateProject(
  ctx: AppContext,
  ownerId: number,
  id: number,
  parameters: Record<string, unknown>,
) {
  const { project, tasks } = await getProject(ctx, ownerId, id);
  assertNotWorkflowProject(project, "retry");
  const trigger = await newTrigger(ctx, ownerId, "project_execution");
  const results = await ctx.db.batch([
    retryFailedTasksStatement(ctx.db, ownerId, id, ctx.now),
    rollupProjectStatement(ctx.db, { id }, ctx.now),
    triggerStatement(ctx, ownerId, trigger, {
      project_id: project.id,
      name: project.name,
      project_type: project.projectType,
      initial_parameters: storedJson(project.initialParameters, {}),
      parameters,
      tasks: tasks.map((t) => ({
        id: t.id,
        task_type: t.taskType,
        status: t.status,
        commit_id: t.commitId,
      })),
      callback_url: `${ctx.origin}/api/webhooks/n8n/project_execution/${project.id}`,
    }),
  ]);
  await enqueueOutbox(ctx, triggerIds(results[2]));
  return { project_id: project.id, execution_id: trigger.triggerId, triggered: trigger.url !== null };
}
