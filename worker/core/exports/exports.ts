import { randomToken } from "../../../contracts/crypto";
import { type OUTPUT_FORMATS, type Resolution, videoLength } from "../../../contracts/render-spec";
import { runBatch, type Statement } from "../../db/client";
import { isCheckViolation, isUniqueViolation } from "../../db/errors";
import { findAsset } from "../../db/queries/assets";
import {
  discardExportWorkflow,
  type ExportRow,
  findActiveExportByTask,
  findExport,
  listExports,
  type NewExport,
  startExportStatements,
} from "../../db/queries/exports";
import { listProjectStoryboards } from "../../db/queries/storyboards";
import { findStudioProject } from "../../db/queries/studio-projects";
import { insertWorkflow, linkPipelineProjectStatement } from "../../db/queries/workflows";
import { AppError, badRequest, conflict, notFound } from "../../platform/errors";
import { currentSubscription, quotaRemaining } from "../billing/subscriptions";
import { fromHundredths } from "../billing/tiers";
import type { AppContext } from "../context";
import { enqueueOutbox } from "../outbox";
import { prepareProjectCreation } from "../pipeline/projects";
import { runTaskBatch } from "../tasks/engine";
import { workflowRun } from "../workflows/run-stub";
import { cancelExport } from "./cancel";
import { estimatedRenderSeconds, exportCost } from "./pricing";

type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * Exports: a project's storyboards rendered to a video by the renderer. Credits
 * are reserved in the batch that writes the export (the subscriptions CHECK refuses going over, so
 * 100 parallel exports against a quota for 10 admit exactly 10); the render is dispatched through
 * an outbox row and the queue, so a crash between the write and the send loses nothing. Every
 * export runs as the `video_rendering` step of a workflow, whose WebSocket shows its progress: a
 * `render` workflow of its own, or the step of the full_production workflow that started it.
 */
export interface ExportInput {
  project_id: string;
  resolution: Resolution;
  format: OutputFormat;
  include_subtitles: boolean;
  music_asset_id?: number | null | undefined;
}

async function plan(ctx: AppContext, ownerId: number, projectId: string, resolution: Resolution) {
  const project = await findStudioProject(ctx.db, ownerId, projectId);
  if (!project) throw notFound("Project");
  const boards = await listProjectStoryboards(ctx.db, ownerId, projectId);
  const seconds = boards.length === 0 ? 0 : videoLength(boards.map((b) => b.duration));
  return { project, boards, seconds, cost: exportCost(resolution, seconds) };
}

export async function estimateExport(
  ctx: AppContext,
  ownerId: number,
  input: { project_id: string; resolution: Resolution },
) {
  const p = await plan(ctx, ownerId, input.project_id, input.resolution);
  const sub = await currentSubscription(ctx, ownerId);
  const remaining = sub ? sub.quotaTotal - sub.quotaUsed : 0;
  return {
    project_id: p.project.id,
    estimated_cost: fromHundredths(p.cost),
    estimated_duration:
      p.boards.length === 0 ? 0 : estimatedRenderSeconds(ctx.env, input.resolution, p.seconds),
    video_length: p.seconds,
    user_quota_remaining: sub ? quotaRemaining(sub) : 0,
    sufficient_quota: p.boards.length > 0 && remaining >= p.cost,
  };
}

/** Checks what an export needs and describes it (without its workflow link). */
async function prepareExport(ctx: AppContext, ownerId: number, input: ExportInput) {
  const p = await plan(ctx, ownerId, input.project_id, input.resolution);
  if (p.boards.length === 0) {
    throw badRequest(
      "The project has no storyboards to export: create them or run a storyboard workflow first",
    );
  }
  if (input.music_asset_id != null) {
    const music = await findAsset(ctx.db, ownerId, input.music_asset_id);
    if (!music?.r2Key || !music.contentType?.startsWith("audio/")) {
      throw badRequest(
        `music_asset_id ${input.music_asset_id} must name one of your audio assets with uploaded content`,
      );
    }
  }
  const sub = await currentSubscription(ctx, ownerId);
  if (!sub) throw new AppError("QUOTA_EXCEEDED", "You have no subscription");
  const base: Omit<NewExport, "workflowId" | "task"> = {
    ref: `exp_${randomToken(12)}`,
    ownerId,
    projectId: p.project.id,
    resolution: input.resolution,
    format: input.format,
    includeSubtitles: input.include_subtitles,
    videoLength: p.seconds,
    cost: p.cost,
    estimatedCompletionAt: ctx.now + estimatedRenderSeconds(ctx.env, input.resolution, p.seconds) * 1000,
    musicAssetId: input.music_asset_id ?? null,
  };
  const quotaError = () =>
    new AppError(
      "QUOTA_EXCEEDED",
      `Not enough credits: this export costs ${fromHundredths(p.cost)}, you have ${quotaRemaining(sub)} left this period`,
    );
  return { project: p.project, base, quotaError };
}

/** Runs the export's batch after `before`; returns the export and sends its dispatch. */
async function runExportBatch(
  ctx: AppContext,
  before: Statement[],
  statements: ReturnType<typeof startExportStatements>,
) {
  const results = await runBatch(ctx.db, [...before, ...statements]);
  const row = (results.at(-1) as ExportRow[])[0];
  if (!row) throw notFound("Project");
  const outbox = results[before.length + 3] as { id: number }[];
  await enqueueOutbox(
    ctx,
    outbox.map((r) => r.id),
  );
  return row;
}

/** `POST /export`: a `render` workflow whose only step is this export, created with it in one batch. */
export async function requestExport(ctx: AppContext, ownerId: number, input: ExportInput) {
  const prepared = await prepareExport(ctx, ownerId, input);
  const workflow = await insertWorkflow(
    ctx.db,
    {
      ownerId,
      projectId: prepared.project.id,
      workflowType: "render",
      generator: "builtin",
      options: {
        resolution: input.resolution,
        format: input.format,
        include_subtitles: input.include_subtitles,
      },
      currentStep: "video_rendering",
    },
    ctx.now,
  );
  const creation = await prepareProjectCreation(ctx, ownerId, {
    name: `${prepared.project.name} · export #${workflow.id}`,
    project_type: "render",
    initial_parameters: { studio_project_id: prepared.project.id, workflow_id: workflow.id },
    tasks: [{ task_type: "video_rendering", workflow_id: workflow.id, step: "video_rendering" }],
    studioWorkflowId: workflow.id,
  });
  let row: ExportRow;
  try {
    row = await runTaskBatch(() =>
      runExportBatch(
        ctx,
        [...creation.statements, linkPipelineProjectStatement(ctx.db, workflow.id, creation.ref, ctx.now)],
        startExportStatements(
          ctx.db,
          { ...prepared.base, workflowId: workflow.id, task: { ref: creation.taskRefs[0] as string } },
          ctx.now,
        ),
      ),
    );
  } catch (err) {
    // Nothing of the batch was written; the workflow row alone goes.
    await discardExportWorkflow(ctx.db, workflow.id);
    if (isCheckViolation(err, "subscriptions_quota_within_total")) throw prepared.quotaError();
    throw err;
  }
  await workflowRun(ctx.env, workflow.id).start(workflow.id);
  return row;
}

/** The `video_rendering` step of a workflow: its export, made once (a redelivery finds it). */
export async function startExport(
  ctx: AppContext,
  ownerId: number,
  input: ExportInput,
  link: { workflowId: number; taskId: number },
): Promise<ExportRow> {
  const prepared = await prepareExport(ctx, ownerId, input);
  try {
    return await runExportBatch(
      ctx,
      [],
      startExportStatements(
        ctx.db,
        { ...prepared.base, workflowId: link.workflowId, task: { id: link.taskId } },
        ctx.now,
      ),
    );
  } catch (err) {
    if (isCheckViolation(err, "subscriptions_quota_within_total")) throw prepared.quotaError();
    if (isUniqueViolation(err, "exports.task_id")) {
      const existing = await findActiveExportByTask(ctx.db, link.taskId);
      if (existing) return existing;
    }
    throw err;
  }
}

export async function getExport(ctx: AppContext, ownerId: number, id: number) {
  const row = await findExport(ctx.db, ownerId, id);
  if (!row) throw notFound("Export");
  return row;
}

export function exportHistory(ctx: AppContext, ownerId: number, q: { skip: number; limit: number }) {
  return listExports(ctx.db, ownerId, q);
}

/** `POST /export/{id}/cancel`: 409 once it has finished; its workflow is cancelled with it. */
export async function cancelOwnExport(ctx: AppContext, ownerId: number, id: number) {
  const row = await getExport(ctx, ownerId, id);
  if (row.status === "cancelled") return row;
  if (row.status === "completed" || row.status === "failed")
    throw conflict(`The export has ${row.status}; there is nothing to cancel`);
  if (row.workflowId !== null) {
    const result = await workflowRun(ctx.env, row.workflowId).control(row.workflowId, "cancel");
    if (result.code === 409) await cancelExport(ctx, row.id);
  } else {
    await cancelExport(ctx, row.id);
  }
  return (await findExport(ctx.db, ownerId, id)) ?? row;
}
