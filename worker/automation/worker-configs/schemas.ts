import { z } from "@hono/zod-openapi";
import { Id, JsonObject, Pagination } from "../common";

const Fields = {
  config_name: z.string().trim().min(1).max(200).openapi({ example: "video_worker_config" }),
  config_type: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .openapi({ example: "execution", description: "`n8n_workflow` configs name the webhook of an n8n flow" }),
  worker_type: z.string().trim().min(1).max(100).openapi({
    example: "video_generator",
    description: "For n8n_workflow: inspiration, project_creation or project_execution",
  }),
  config_data: JsonObject.openapi({ example: { max_concurrent: 3, timeout: 300 } }),
  description: z.string().max(5000).nullable().optional(),
  priority: z.number().int().min(-1_000_000).max(1_000_000).optional(),
  is_active: z.boolean().optional(),
};

export const CreateConfigSchema = z
  .object({ ...Fields, config_data: Fields.config_data.default({}) })
  .strict()
  .openapi("CreateWorkerConfigRequest");

export const UpdateConfigSchema = z
  .object({
    config_name: Fields.config_name.optional(),
    config_type: Fields.config_type.optional(),
    worker_type: Fields.worker_type.optional(),
    config_data: Fields.config_data.optional(),
    description: Fields.description,
    priority: Fields.priority,
    is_active: Fields.is_active,
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one field to update" })
  .openapi("UpdateWorkerConfigRequest");

export const ListConfigsQuery = z
  .object({
    ...Pagination,
    worker_type: z.string().max(100).optional(),
    config_type: z.string().max(100).optional(),
    is_active: z
      .enum(["true", "false"])
      .transform((v) => v === "true")
      .optional(),
  })
  .strict();

export const AssignSchema = z
  .object({ config_ids: z.array(Id).min(1).max(50), override_data: JsonObject.nullable().optional() })
  .strict()
  .openapi("AssignWorkerConfigsRequest", {
    example: { config_ids: [1, 2], override_data: { model: "gen4_turbo" } },
  });

export const ConfigSchema = z
  .object({
    id: z.number().int(),
    config_name: z.string(),
    config_type: z.string(),
    worker_type: z.string(),
    config_data: JsonObject,
    description: z.string().nullable(),
    priority: z.number().int(),
    is_active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("WorkerConfig");

export const AssignmentSchema = z
  .object({
    id: z.number().int(),
    task_id: z.number().int(),
    config_id: z.number().int(),
    override_data: JsonObject.nullable(),
    created_at: z.string(),
  })
  .openapi("TaskConfigAssignment");

export const TaskConfigsSchema = z
  .object({
    task_id: z.number().int(),
    configs: z.array(
      z.object({
        id: z.number().int(),
        config_name: z.string(),
        config_type: z.string(),
        worker_type: z.string(),
        priority: z.number().int(),
        config_data: JsonObject.openapi({
          description: "The config's data with the task's override merged over it",
        }),
      }),
    ),
  })
  .openapi("TaskConfigs");
