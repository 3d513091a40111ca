import { z } from "zod";
import { type RenderSpec, RenderSpecSchema, type Resolution } from "../../../contracts/render-spec";
import { findAsset } from "../../db/queries/assets";
import { type ExportRow, findExportById, updateExportStatement } from "../../db/queries/exports";
import { listProjectStoryboards } from "../../db/queries/storyboards";
import { findStudioProject } from "../../db/queries/studio-projects";
import { findWorkflowById } from "../../db/queries/workflows";
import { signedFileUrl } from "../../platform/files";
import type { AppContext } from "../context";
import { exportKey } from "../media/storage-keys";
import { RendererUnavailable, renderJobs } from "../renderer/client";
import { readOptions } from "../workflows/options";
import { reportRenderProgress } from "./progress";
import { settleExport } from "./settle";
import { issueUploadTokens } from "./upload-tokens";

export const RenderDispatchPayload = z.object({ export_id: z.number().int().positive() });

/** Inputs stay readable for the renderer long after a job was queued behind others. */
const INPUT_URL_TTL_SECONDS = 6 * 3600;

const LIMITS = {
  video: 4 * 1024 * 1024 * 1024,
  sidecar: 5 * 1024 * 1024,
  poster: 20 * 1024 * 1024,
  sheet: 50 * 1024 * 1024,
};

/** The render spec of an export: the project's scenes in order, upload targets, callback. */
export async function buildRenderSpec(ctx: AppContext, exp: ExportRow): Promise<RenderSpec | null> {
  const project = await findStudioProject(ctx.db, exp.ownerId, exp.projectId);
  if (!project) return null;
  const boards = await listProjectStoryboards(ctx.db, exp.ownerId, exp.projectId);
  if (boards.length === 0) return null;
  const origin = ctx.config.publicOrigin;
  const sign = (key: string) =>
    signedFileUrl(ctx.env.FILES_SIGNING_SECRET, origin, key, ctx.now, { ttlSeconds: INPUT_URL_TTL_SECONDS });
  const workflow = exp.workflowId ? await findWorkflowById(ctx.db, exp.workflowId) : undefined;
  const music = exp.musicAssetId ? await findAsset(ctx.db, exp.ownerId, exp.musicAssetId) : undefined;
  const ext = exp.format === "webm" ? "webm" : "mp4";
  const files = [
    {
      name: "video",
      key: exportKey(exp.ownerId, project.id, exp.id, `video.${ext}`),
      max: LIMITS.video,
      type: `video/${ext}`,
    },
    {
      name: "srt",
      key: exportKey(exp.ownerId, project.id, exp.id, "subtitles.srt"),
      max: LIMITS.sidecar,
      type: "application/x-subrip",
    },
    {
      name: "vtt",
      key: exportKey(exp.ownerId, project.id, exp.id, "subtitles.vtt"),
      max: LIMITS.sidecar,
      type: "text/vtt",
    },
    {
      name: "poster",
      key: exportKey(exp.ownerId, project.id, exp.id, "poster.jpg"),
      max: LIMITS.poster,
      type: "image/jpeg",
    },
    {
      name: "contact_sheet",
      key: exportKey(exp.ownerId, project.id, exp.id, "contact-sheet.png"),
      max: LIMITS.sheet,
      type: "image/png",
    },
  ];
  const urls = await issueUploadTokens(
    ctx,
    exp.ownerId,
    files.map((f) => ({
      key: f.key,
      maxBytes: f.max,
      contentType: f.type,
      purpose: `export:${exp.id}:${f.name}`,
    })),
  );
  const target = (i: number) => ({ url: urls[i] as string, max_bytes: files[i]?.max as number });
  const scenes = await Promise.all(
    boards.map(async (b) => ({
      ...(b.imageKey ? { image_url: await sign(b.imageKey) } : {}),
      text: b.description.slice(0, 1000),
      ...(b.caption ? { caption: b.caption.slice(0, 500) } : {}),
      duration: b.duration,
    })),
  );
  return RenderSpecSchema.parse({
    render_id: `export-${exp.id}`,
    aspect_ratio: project.aspectRatio,
    resolution: exp.resolution as Resolution,
    format: exp.format,
    include_subtitles: exp.includeSubtitles,
    style: readOptions(workflow?.options).style ?? "cinematic",
    title: project.name.slice(0, 200),
    scenes,
    ...(music?.r2Key ? { music_url: await sign(music.r2Key) } : {}),
    outputs: {
      video: target(0),
      srt: target(1),
      vtt: target(2),
      poster: target(3),
      contact_sheet: target(4),
    },
    callback_url: `${origin}/internal/renders/${exp.id}/events`,
  });
}

/**
 * Sends an export to the renderer (an outbox job, so retried with backoff and dead-lettered).
 * The renderer keys jobs by render id, so a redelivered dispatch starts one render. A spec the
 * renderer refuses will never be accepted: the export fails and its credits are returned at once.
 */
export async function dispatchRender(ctx: AppContext, exportId: number): Promise<void> {
  const exp = await findExportById(ctx.db, exportId);
  if (!exp || !["queued", "processing"].includes(exp.status)) return;
  const spec = await buildRenderSpec(ctx, exp);
  if (!spec) {
    await settleExport(ctx, exp.id, {
      outcome: "failed",
      error: "The project or its storyboards were deleted before the render started",
    });
    return;
  }
  let result: Awaited<ReturnType<ReturnType<typeof renderJobs>["submit"]>>;
  try {
    result = await renderJobs(ctx.env).submit(spec);
  } catch (err) {
    // The queue retries with backoff; meanwhile the workflow's watchers see that it is waiting.
    if (err instanceof RendererUnavailable)
      await reportRenderProgress(ctx, exp, { progress: 0, stage: "waiting" });
    throw err;
  }
  if (result.kind === "refused") {
    await settleExport(ctx, exp.id, {
      outcome: "failed",
      error: `The renderer refused the job: ${result.detail}`,
    });
    return;
  }
  await updateExportStatement(ctx.db, exp.id, { status: "processing", startedAt: ctx.now }, ctx.now, [
    "queued",
  ]);
}
