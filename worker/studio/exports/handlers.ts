import type { OUTPUT_FORMATS, Resolution } from "../../../contracts/render-spec";
import { fromHundredths } from "../../core/billing/tiers";
import type { AppContext } from "../../core/context";
import * as exports from "../../core/exports/exports";
import { fileUrl } from "../../core/media/urls";
import type { ExportRow } from "../../db/queries/exports";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { iso } from "../../platform/time";
import { idempotentAnswer } from "../idempotent-answer";
import * as routes from "./routes";

type Format = (typeof OUTPUT_FORMATS)[number];

async function exportOut(ctx: AppContext, e: ExportRow) {
  return {
    export_id: e.id,
    project_id: e.projectId,
    workflow_id: e.workflowId,
    status: e.status,
    progress: e.progress,
    video_url: await fileUrl(ctx, e.videoKey, `export-${e.id}.${e.format}`),
    subtitle_url: await fileUrl(ctx, e.subtitleKey),
    vtt_url: await fileUrl(ctx, e.vttKey),
    poster_url: await fileUrl(ctx, e.posterKey),
    contact_sheet_url: await fileUrl(ctx, e.contactSheetKey),
    file_size: e.fileSize,
    duration: e.duration,
    resolution: e.resolution as Resolution,
    format: e.format as Format,
    include_subtitles: e.includeSubtitles,
    cost: fromHundredths(e.cost),
    error: e.error,
    estimated_completion: e.estimatedCompletionAt === null ? null : iso(e.estimatedCompletionAt),
    created_at: iso(e.createdAt),
    completed_at: e.completedAt === null ? null : iso(e.completedAt),
  };
}

export const exportsRouter = createRouter()
  .openapi(routes.estimate, async (c) => {
    return c.json(
      await exports.estimateExport(contextOf(c), principalOf(c).userId, c.req.valid("json")),
      200,
    );
  })
  .openapi(routes.startExport, async (c) => {
    const ctx = contextOf(c);
    const body = c.req.valid("json");
    const out = await idempotentAnswer(c, "POST /api/v1/export", body, async () => {
      const e = await exports.requestExport(ctx, principalOf(c).userId, body);
      return {
        export_id: e.id,
        project_id: e.projectId,
        status: e.status,
        progress: e.progress,
        estimated_completion: e.estimatedCompletionAt === null ? null : iso(e.estimatedCompletionAt),
        estimated_cost: fromHundredths(e.cost),
        workflow_id: e.workflowId,
        created_at: iso(e.createdAt),
      };
    });
    return c.json(out, 200);
  })
  .openapi(routes.history, async (c) => {
    const ctx = contextOf(c);
    const { total, items } = await exports.exportHistory(ctx, principalOf(c).userId, c.req.valid("query"));
    return c.json(
      {
        total,
        items: await Promise.all(
          items.map(async ({ export: e, projectName }) => ({
            export_id: e.id,
            project_id: e.projectId,
            project_name: projectName,
            status: e.status,
            video_url: await fileUrl(ctx, e.videoKey, `export-${e.id}.${e.format}`),
            resolution: e.resolution as Resolution,
            format: e.format as Format,
            created_at: iso(e.createdAt),
            completed_at: e.completedAt === null ? null : iso(e.completedAt),
          })),
        ),
      },
      200,
    );
  })
  .openapi(routes.getExport, async (c) => {
    const ctx = contextOf(c);
    return c.json(
      await exportOut(
        ctx,
        await exports.getExport(ctx, principalOf(c).userId, c.req.valid("param").export_id),
      ),
      200,
    );
  })
  .openapi(routes.cancel, async (c) => {
    const ctx = contextOf(c);
    const row = await exports.cancelOwnExport(ctx, principalOf(c).userId, c.req.valid("param").export_id);
    return c.json({ export_id: row.id, status: row.status, message: "Export cancelled successfully" }, 200);
  });
