import { z } from "@hono/zod-openapi";
import { PIPELINE_STATUSES, TASK_STATUSES } from "../../db/schema/automation";
import { Id, JsonObject } from "../common";
import { NestedTaskSchema } from "../tasks/schemas";

const ExecutionId = z.string().min(1).max(200).openapi({ example: "n8n_exec_123" });
const Outcome = z.enum(["success", "failed"]);

export const InspirationCallbackSchema = z
  .object({
    status: Outcome,
    data: z
      .object({
        title: z.string().trim().min(1).max(200).optional(),
        description: z.string().max(10_000).nullable().optional(),
        parameters: JsonObject.nullable().optional(),
        score: z.number().min(0).max(100).nullable().optional(),
        error: z.string().max(10_000).nullable().optional(),
      })
      .strict()
      .optional(),
    executionId: ExecutionId,
  })
  .strict()
  .openapi("InspirationWebhook");

export const ProjectCreationCallbackSchema = z
  .object({
    status: Outcome,
    project: z
      .object({
        name: z.string().trim().min(1).max(200),
        project_type: z.string().trim().min(1).max(100),
        initial_parameters: JsonObject.nullable().optional(),
      })
      .strict()
      .optional(),
    tasks: z.array(NestedTaskSchema).max(500).optional(),
    executionId: ExecutionId,
  })
  .strict()
  .openapi("ProjectCreationWebhook");

export const ProjectExecutionCallbackSchema = z
  .object({
    status: Outcome,
    task_updates: z
      .array(
        z
          .object({
            task_id: Id,
            status: z.enum(TASK_STATUSES).optional(),
            task_output: JsonObject.nullable().optional(),
            error_message: z.string().max(10_000).nullable().optional(),
            commit_id: z.string().min(1).max(200).optional(),
          })
          .strict(),
      )
      .max(500)
      .optional(),
    project_updates: z
      .object({ status: z.enum(PIPELINE_STATUSES).optional() })
      .strict()
      .optional(),
    executionId: ExecutionId,
  })
  .strict()
  .openapi("ProjectExecutionWebhook");

export const TaskUpdateCallbackSchema = z
  .object({
    status: z.enum(["completed", "failed", "processing"]),
    task_output: JsonObject.nullable().optional(),
    error_message: z.string().max(10_000).nullable().optional(),
    commit_id: z.string().min(1).max(200).optional(),
  })
  .strict()
  .openapi("TaskUpdateWebhook", {
    example: {
      status: "completed",
      task_output: { result_url: "https://example.com/result.mp4" },
      commit_id: "task_commit_final",
    },
  });

export const WebhookResultSchema = z
  .object({ message: z.string() })
  .catchall(z.unknown())
  .openapi("WebhookResult", {
    example: { message: "Task webhook processed", task_id: 1, status: "completed" },
  });
