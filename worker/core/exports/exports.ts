import type { BatchItem } from "drizzle-orm/batch";
import { type OUTPUT_FORMATS, type Resolution, videoLength } from "../../../contracts/render-spec";

type OutputFormat = (typeof OUTPUT_FORMATS)[number];

import { isCheckViolation, isUniqueViolation } from "../../db/errors";
import { findAsset } from "../../db/queries/assets";
import {
  type ExportRow,
  findExport,
  findExportByTask,
  listExports,
  startExportStatements,
} from "../../db/queries/exports";
import { listProjectStoryboards } from "../../db/queries/storyboards";
import { findStudioProject } from "../../db/queries/studio-projects";
import { randomToken } from "../../platform/crypto";
import { AppError, badRequest, notFound } from "../../platform/errors";
import { currentSubscription, quotaRemaining } from "../billing/subscriptions";
import { fromHundredths } from "../billing/tiers";
import type { CoreContext } from "../context";
import { enqueueOutbox } from "../outbox";
import { estimatedRenderSeconds, exportCost } from "./pricing";

/**
 * Exports (seed 000 §视频导出): a project's storyboards rendered to a video by the renderer. Credits
 * are reserved when the export starts, in the batch that writes it; the render is dispatched
 * through an outbox row and the queue, so a crash between the write and the send loses nothing.
 */
export interface ExportInput {
  project_id: string;
  resolution: Resolution;
  format: OutputFormat;
  include_subtitles: boolean;
  music_asset_id?: number | null | undefined;
}

async function plan(ctx: CoreContext, ownerId: number, projectId: string, resolution: Resolution) {
  const project = await findStudioProject(ctx.db, ownerId, projectId);
  if (!project) throw notFound("Project");
  const boards = await listProjectStoryboards(ctx.db, ownerId, projectId);
  const seconds = boards.length === 0 ? 0 : videoLength(boards.map((b) => b.duration));
  return { project, boards, seconds, cost: exportCost(resolution, seconds) };
}

export async function estimateExport(
  ctx: CoreContext,
  ownerId: number,
  input: { project_id: string; resolution: Resolution },
) {
  const p = await plan(ctx, ownerId, input.project_id, input.resolution);
  const sub = await currentSubscription(ctx.db, ownerId, ctx.now);
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

export async function startExport(
  ctx: CoreContext,
  ownerId: number,
  input: ExportInput,
  link: { workflowId: number; taskId: number } | null = null,
): Promise<ExportRow> {
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
  const sub = await currentSubscription(ctx.db, ownerId, ctx.now);
  if (!sub) throw new AppError("QUOTA_EXCEEDED", "You have no subscription");
  const statements = startExportStatements(
    ctx.db,
    {
      ref: `exp_${randomToken(12)}`,
      ownerId,
      projectId: p.project.id,
      workflowId: link?.workflowId ?? null,
      taskId: link?.taskId ?? null,
      resolution: input.resolution,
      format: input.format,
      includeSubtitles: input.include_subtitles,
      videoLength: p.seconds,
      cost: p.cost,
      estimatedCompletionAt: ctx.now + estimatedRenderSeconds(ctx.env, input.resolution, p.seconds) * 1000,
      musicAssetId: input.music_asset_id ?? null,
    },
    ctx.now,
  );
  let results: unknown[];
  try {
    results = await ctx.db.batch(statements as unknown as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (err) {
    if (isCheckViolation(err, "subscriptions_quota_within_total")) {
      throw new AppError(
        "QUOTA_EXCEEDED",
        `Not enough credits: this export costs ${fromHundredths(p.cost)}, you have ${quotaRemaining(sub)} left this period`,
      );
    }
    if (link && isUniqueViolation(err, "exports.task_id")) {
      const existing = await findExportByTask(ctx.db, link.taskId);
      if (existing) return existing;
    }
    throw err;
  }
  const row = (results.at(-1) as ExportRow[])[0];
  if (!row) throw notFound("Project");
  await enqueueOutbox(
    ctx.env,
    ctx.db,
    (results[3] as { id: number }[]).map((r) => r.id),
    ctx.now,
  );
  return row;
}

export async function getExport(ctx: CoreContext, ownerId: number, id: number) {
  const row = await findExport(ctx.db, ownerId, id);
  if (!row) throw notFound("Export");
  return row;
}

export function exportHistory(ctx: CoreContext, ownerId: number, q: { skip: number; limit: number }) {
  return listExports(ctx.db, ownerId, q);
}
