import { z } from "@hono/zod-openapi";
import { OUTPUT_FORMATS, RESOLUTIONS } from "../../../contracts/render-spec";
import { EXPORT_STATUSES } from "../../db/schema/studio";
import { IdParam } from "../../platform/params";

export const ExportIdParamSchema = z.object({ export_id: IdParam("export_id") });

const ProjectId = z.uuid().openapi({ example: "550e8400-e29b-41d4-a716-446655440000" });
const Resolution = z.enum(RESOLUTIONS).default("1080p").openapi({ example: "1080p" });
const Format = z.enum(OUTPUT_FORMATS).default("mp4").openapi({ example: "mp4" });

export const EstimateBodySchema = z
  .object({ project_id: ProjectId, resolution: Resolution, format: Format })
  .strict()
  .openapi("ExportEstimateRequest");

export const EstimateSchema = z
  .object({
    project_id: z.string(),
    estimated_cost: z.number().openapi({ example: 50.0, description: "Credits (1 credit = ¥1)" }),
    estimated_duration: z
      .number()
      .openapi({ example: 120, description: "Seconds of rendering, from the renderer's measured speed" }),
    video_length: z
      .number()
      .openapi({ example: 180, description: "Seconds: scene durations minus 0.5 s per crossfade" }),
    user_quota_remaining: z.number().openapi({ example: 1000 }),
    sufficient_quota: z.boolean(),
  })
  .openapi("ExportEstimate");

export const ExportBodySchema = z
  .object({
    project_id: ProjectId,
    resolution: Resolution,
    format: Format,
    include_subtitles: z.boolean().default(true),
    music_asset_id: z
      .number()
      .int()
      .positive()
      .optional()
      .openapi({ description: "An audio asset of yours, faded in and out" }),
  })
  .strict()
  .openapi("ExportRequest");

export const ExportStartedSchema = z
  .object({
    export_id: z.number().int().openapi({ example: 1 }),
    project_id: z.string(),
    status: z.enum(EXPORT_STATUSES).openapi({ example: "processing" }),
    progress: z.number().openapi({ example: 0.0 }),
    estimated_completion: z.string().nullable().openapi({ example: "2026-02-08T10:05:00Z" }),
    estimated_cost: z.number().openapi({ example: 50.0 }),
    workflow_id: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "Watch progress on /ws/progress/{workflow_id}" }),
    created_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
  })
  .openapi("ExportStarted");

export const ExportSchema = z
  .object({
    export_id: z.number().int().openapi({ example: 1 }),
    project_id: z.string(),
    workflow_id: z.number().int().nullable(),
    status: z.enum(EXPORT_STATUSES).openapi({ example: "completed" }),
    progress: z.number().openapi({ example: 1.0 }),
    video_url: z
      .string()
      .nullable()
      .openapi({ description: "Signed, expiring /files URL; seekable (Range)" }),
    subtitle_url: z.string().nullable().openapi({ description: "SRT sidecar" }),
    vtt_url: z.string().nullable(),
    poster_url: z.string().nullable(),
    contact_sheet_url: z.string().nullable(),
    file_size: z.number().int().nullable().openapi({ example: 52428800 }),
    duration: z.number().nullable().openapi({ example: 180 }),
    resolution: z.enum(RESOLUTIONS),
    format: z.enum(OUTPUT_FORMATS),
    include_subtitles: z.boolean(),
    cost: z.number().openapi({ description: "Credits reserved (refunded if it fails or is cancelled)" }),
    error: z.string().nullable(),
    estimated_completion: z.string().nullable(),
    created_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
    completed_at: z.string().nullable().openapi({ example: "2026-02-08T10:03:00Z" }),
  })
  .openapi("Export");

export const HistoryQuerySchema = z
  .object({
    skip: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const HistorySchema = z
  .object({
    total: z.number().int(),
    items: z.array(
      z.object({
        export_id: z.number().int(),
        project_id: z.string(),
        project_name: z.string().nullable().openapi({ example: "我的第一个短剧" }),
        status: z.enum(EXPORT_STATUSES),
        video_url: z.string().nullable(),
        resolution: z.enum(RESOLUTIONS),
        format: z.enum(OUTPUT_FORMATS),
        created_at: z.string(),
        completed_at: z.string().nullable(),
      }),
    ),
  })
  .openapi("ExportHistory");

export const CancelledSchema = z
  .object({ export_id: z.number().int(), status: z.enum(EXPORT_STATUSES), message: z.string() })
  .openapi("ExportCancelled", {
    example: { export_id: 1, status: "cancelled", message: "Export cancelled successfully" },
  });
