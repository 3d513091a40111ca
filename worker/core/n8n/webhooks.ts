import { sha256Hex } from "../../../contracts/crypto";
import { runBatch, type Statement } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { findInspiration, updateInspirationStatement } from "../../db/queries/inspirations";
import { findPipelineProject, recordProjectExecutionStatement } from "../../db/queries/pipeline-projects";
import { findTasksForUpdate } from "../../db/queries/tasks";
import {
  createdProjectAnswer,
  type DeliveryAnswer,
  type DeliveryKey,
  findDelivery,
  recordDeliveryStatement,
} from "../../db/queries/webhook-deliveries";
import type { PipelineStatus, TaskStatus } from "../../db/schema/automation";
import { badRequest, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { prepareProjectCreation } from "../pipeline/projects";
import {
  applyTaskUpdates,
  prepareTaskUpdates,
  runTaskBatch,
  type TaskSpec,
  type TaskUpdate,
} from "../tasks/engine";
import { assertProjectTransition } from "../tasks/transitions";

type Json = Record<string, unknown>;

/** What a callback answers: a message and whatever identifies its effect. */
export type WebhookResult = { message: string } & Json;

/**
 * Applies an n8n callback exactly once per `executionId`: its effects and the record
 * of its delivery commit in one batch, whose UNIQUE key makes a concurrent duplicate fail whole.
 * A replay — sequential or concurrent — changes nothing and gets the first answer again.
 */
async function once(
  ctx: AppContext,
  key: DeliveryKey,
  body: unknown,
  build: () => Promise<{ statements: Statement[]; response: DeliveryAnswer }>,
): Promise<WebhookResult> {
  const previous = await findDelivery(ctx.db, key);
  if (previous) return previous.response as WebhookResult;
  const requestHash = await sha256Hex(JSON.stringify(body));
  const { statements, response } = await build();
  try {
    const results = await runTaskBatch(() =>
      runBatch(ctx.db, [...statements, recordDeliveryStatement(ctx.db, key, requestHash, response, ctx.now)]),
    );
    const recorded = (results.at(-1) as { response: string }[])[0];
    if (!recorded) throw new Error("webhook delivery was not recorded");
    return JSON.parse(recorded.response) as WebhookResult;
  } catch (err) {
    if (!isUniqueViolation(err, "webhook_deliveries")) throw err;
    const winner = await findDelivery(ctx.db, key);
    if (!winner) throw err;
    return winner.response as WebhookResult;
  }
}

export interface InspirationCallback {
  status: "success" | "failed";
  data?:
    | {
        title?: string | undefined;
        description?: string | null | undefined;
        parameters?: Json | null | undefined;
        score?: number | null | undefined;
        error?: string | null | undefined;
      }
    | undefined;
  executionId: string;
}

/** 7.1: a generated (or failed) inspiration comes back for review. Reviewed ones are left alone. */
export async function inspirationCallback(
  ctx: AppContext,
  ownerId: number,
  inspirationId: number,
  body: InspirationCallback,
) {
  const inspiration = await findInspiration(ctx.db, ownerId, inspirationId);
  if (!inspiration) throw notFound("Inspiration");
  const key = { ownerId, kind: "inspiration", targetId: inspirationId, executionId: body.executionId };
  return once(ctx, key, body, async () => {
    const response = {
      message: "Inspiration webhook processed",
      inspiration_id: inspirationId,
      status: body.status,
    };
    if (!["draft", "generating", "pending_review", "failed"].includes(inspiration.status)) {
      return {
        statements: [],
        response: { ...response, ignored: `inspiration is already ${inspiration.status}` },
      };
    }
    const d = body.data ?? {};
    const patch =
      body.status === "success"
        ? {
            status: "pending_review" as const,
            lastExecutionId: body.executionId,
            lastError: null,
            ...(d.title !== undefined ? { title: d.title } : {}),
            ...(d.description !== undefined ? { description: d.description } : {}),
            ...(d.parameters !== undefined ? { parameters: d.parameters } : {}),
            ...(d.score !== undefined ? { score: d.score } : {}),
          }
        : {
            status: "failed" as const,
            lastExecutionId: body.executionId,
            lastError: d.error ?? "The inspiration workflow failed",
          };
    return {
      statements: [
        updateInspirationStatement(ctx.db, ownerId, inspirationId, inspiration.status, patch, ctx.now),
      ],
      response,
    };
  });
}

export interface ProjectCreationCallback {
  status: "success" | "failed";
  project?: { name: string; project_type: string; initial_parameters?: Json | null | undefined } | undefined;
  tasks?: TaskSpec[] | undefined;
  executionId: string;
}

/** 7.2: n8n turned an approved inspiration into a project and its task graph: one batch. */
export async function projectCreationCallback(
  ctx: AppContext,
  ownerId: number,
  inspirationId: number,
  body: ProjectCreationCallback,
) {
  const inspiration = await findInspiration(ctx.db, ownerId, inspirationId);
  if (!inspiration) throw notFound("Inspiration");
  const key = { ownerId, kind: "project_creation", targetId: inspirationId, executionId: body.executionId };
  return once(ctx, key, body, async () => {
    if (body.status === "failed") {
      return {
        statements: [],
        response: {
          message: "Project creation failed",
          inspiration_id: inspirationId,
          project_id: null,
          tasks_created: 0,
        },
      };
    }
    if (inspiration.status !== "approved") throw badRequest(`Inspiration ${inspirationId} is not approved`);
    if (!body.project) throw badRequest("project is required when status is success");
    const tasks = body.tasks ?? [];
    const creation = await prepareProjectCreation(ctx, ownerId, {
      name: body.project.name,
      project_type: body.project.project_type,
      initial_parameters: body.project.initial_parameters,
      inspiration_id: inspirationId,
      tasks,
      usedTransformWorkflowId: body.executionId,
    });
    return {
      statements: creation.statements,
      response: createdProjectAnswer(creation.ref, tasks.length),
    };
  });
}

export interface ProjectExecutionCallback {
  status: "success" | "failed";
  task_updates?:
    | {
        task_id: number;
        status?: TaskStatus | undefined;
        task_output?: Json | null | undefined;
        error_message?: string | null | undefined;
        commit_id?: string | undefined;
      }[]
    | undefined;
  project_updates?: { status?: PipelineStatus | undefined } | undefined;
  executionId: string;
}

/**
 * 7.3: results of a project execution. Task updates go through the engine; updates that would move
 * a finished task backwards (a late or reordered delivery) are skipped, never applied.
 */
export async function projectExecutionCallback(
  ctx: AppContext,
  ownerId: number,
  projectId: number,
  body: ProjectExecutionCallback,
) {
  const project = await findPipelineProject(ctx.db, ownerId, projectId);
  if (!project) throw notFound("Project");
  const key = { ownerId, kind: "project_execution", targetId: projectId, executionId: body.executionId };
  return once(ctx, key, body, async () => {
    const updates: TaskUpdate[] = (body.task_updates ?? []).map((u) => ({
      locator: { id: u.task_id },
      status: u.status,
      task_output: u.task_output,
      error_message: u.error_message,
      commit_id: u.commit_id,
    }));
    const owned = await findTasksForUpdate(
      ctx.db,
      ownerId,
      (body.task_updates ?? []).map((u) => u.task_id),
      [],
    );
    for (const u of body.task_updates ?? []) {
      if (!owned.some((t) => t.id === u.task_id && t.projectId === projectId))
        throw notFound(`Task ${u.task_id}`);
    }
    const prepared = await prepareTaskUpdates(ctx, ownerId, updates, {
      leaseRequired: false,
      ignoreRegressions: true,
    });
    const wanted = body.project_updates?.status;
    if (wanted !== undefined) assertProjectTransition(project.status, wanted);
    const projectUpdate = recordProjectExecutionStatement(
      ctx.db,
      projectId,
      body.executionId,
      wanted,
      ctx.now,
    );
    return {
      statements: [...prepared.statements, projectUpdate],
      response: {
        message: "Project execution webhook processed",
        project_id: projectId,
        status: body.status,
        tasks_updated: prepared.changed.length,
        tasks_ignored: prepared.ignored,
      },
    };
  });
}

export interface TaskUpdateCallback {
  status: TaskStatus;
  task_output?: Json | null | undefined;
  error_message?: string | null | undefined;
  commit_id?: string | undefined;
}

/** 7.4: one task's result. Idempotent: the same update again changes nothing and answers alike. */
export async function taskUpdateCallback(
  ctx: AppContext,
  ownerId: number,
  taskId: number,
  body: TaskUpdateCallback,
) {
  const applied = await applyTaskUpdates(
    ctx,
    ownerId,
    [
      {
        locator: { id: taskId },
        status: body.status,
        task_output: body.task_output,
        error_message: body.error_message,
        commit_id: body.commit_id,
      },
    ],
    { leaseRequired: false, ignoreRegressions: true },
  );
  const task = applied.tasks[0];
  return {
    response: { message: "Task webhook processed", task_id: taskId, status: task?.status ?? body.status },
    changedIds: applied.changedIds,
  };
}
