import { z } from "@hono/zod-openapi";
import { PIPELINE_STATUSES } from "../../db/schema/automation";
import { Id, JsonObject, Pagination } from "../common";
import { NestedTaskSchema, TaskSchema } from "../tasks/schemas";

export const CreateProjectSchema = z
  .object({
    name: z.string().trim().min(1).max(200).openapi({ example: "测试项目" }),
    project_type: z.string().trim().min(1).max(100).openapi({ example: "video_generation" }),
    initial_parameters: JsonObject.nullable().optional(),
    inspiration_id: Id.nullable().optional(),
    tasks: z
      .array(NestedTaskSchema)
      .max(500)
      .optional()
      .openapi({ description: "Created with the project, atomically" }),
  })
  .strict()
  .openapi("CreatePipelineProjectRequest");

export const UpdateProjectSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    initial_parameters: JsonObject.nullable().optional(),
    inspiration_id: Id.nullable().optional(),
    status: z.enum(PIPELINE_STATUSES).optional().openapi({
      description:
        "pending → processing|failed; processing → completed|failed; completed → processing; failed → pending|processing",
    }),
    score: z.number().min(0).max(100).nullable().optional(),
    score_details: JsonObject.nullable().optional(),
    review_notes: z.string().max(10_000).nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one field to update" })
  .openapi("UpdatePipelineProjectRequest", {
    example: { status: "processing", review_notes: "节奏可以再快一点" },
  });

export const RegenerateSchema = JsonObject.openapi("RegenerateProjectRequest", {
  description: "Parameters handed to the project-execution flow",
  example: { style: "cinematic", retry_failed_only: true },
});

export const ListProjectsQuery = z.object(Pagination).strict();

export const PipelineProjectSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    project_type: z.string(),
    status: z.enum(PIPELINE_STATUSES),
    initial_parameters: JsonObject.nullable(),
    inspiration_id: z.number().int().nullable(),
    score: z.number().nullable(),
    score_details: JsonObject.nullable(),
    review_notes: z.string().nullable(),
    used_transform_workflow_id: z.string().nullable(),
    used_execution_workflow_id: z.string().nullable(),
    total_tasks: z.number().int(),
    completed_tasks: z.number().int(),
    failed_tasks: z.number().int(),
    output_asset_id: z.number().int().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("PipelineProject");

export const PipelineProjectDetailSchema = PipelineProjectSchema.extend({
  tasks: z.array(TaskSchema),
}).openapi("PipelineProjectDetail");

export const RegenerateResultSchema = z
  .object({
    message: z.string(),
    project_id: z.number().int(),
    execution_id: z.string().openapi({ example: "trg_Bx8e1Q0d2kLm" }),
    triggered: z.boolean().openapi({ description: "false when no execution workflow URL is configured" }),
  })
  .openapi("RegenerateProjectResult");
