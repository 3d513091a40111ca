import { z } from "@hono/zod-openapi";
import { TASK_STATUSES } from "../../db/schema/automation";
import { PLATFORM_IDS } from "../../platform/platform-ids";
import { Id, JsonObject, Pagination } from "../common";

const TaskType = z.string().trim().min(1).max(100).openapi({ example: "video_generation" });
const CommitId = z.string().min(1).max(200).openapi({ example: "task_commit_123" });
const CreatableStatus = z.enum(["waiting", "pending", "processing", "completed", "failed"]);
const LeaseToken = z.string().min(1).max(200);

export const DependencyRefSchema = z
  .union([Id, z.string().min(1).max(200), z.object({ index: z.number().int().min(0).max(499) }).strict()])
  .openapi({
    description:
      "An integer is an existing task id; a string names a sibling in the same request by its commit_id; {index: n} names the n-th task of the request.",
  });

const TaskFields = {
  task_type: TaskType,
  status: CreatableStatus.optional().openapi({ description: "waiting/pending follow the dependencies" }),
  dependencies: z
    .array(DependencyRefSchema)
    .max(50)
    .optional()
    .openapi({ example: [1, 2] }),
  task_output: JsonObject.nullable().optional(),
  platform_account_id: Id.nullable().optional(),
  commit_id: CommitId.nullable().optional(),
  error_message: z.string().max(10_000).nullable().optional(),
  priority: z
    .number()
    .int()
    .min(-1000)
    .max(1000)
    .optional()
    .openapi({ description: "Higher is claimed first" }),
};

export const CreateTaskSchema = z
  .object({ project_id: Id, ...TaskFields })
  .strict()
  .openapi("CreateTaskRequest");
export const BatchCreateTasksSchema = z
  .object({ tasks: z.array(CreateTaskSchema).min(1).max(500) })
  .strict()
  .openapi("BatchCreateTasksRequest");
/** A task inside a project-creation payload: the project is implied. */
export const NestedTaskSchema = z.object(TaskFields).strict().openapi("NewTask");

export const ClaimSchema = z
  .object({
    task_types: z.array(TaskType).min(1).max(50),
    lease_seconds: z.number().int().min(1).max(86_400).optional().openapi({ description: "Default 300" }),
    worker_id: z.string().min(1).max(100).optional(),
    platform: z
      .enum(PLATFORM_IDS)
      .optional()
      .openapi({ description: "Also lease an account of this platform" }),
  })
  .strict()
  .openapi("ClaimRequest");

export const HeartbeatSchema = z
  .object({ lease_token: LeaseToken, lease_seconds: z.number().int().min(1).max(86_400).optional() })
  .strict()
  .openapi("HeartbeatRequest", { example: { lease_token: "lt_9f8e7d6c5b4a", lease_seconds: 300 } });

const UpdateFields = {
  status: z.enum(TASK_STATUSES).optional(),
  task_output: JsonObject.nullable().optional(),
  error_message: z.string().max(10_000).nullable().optional(),
};

export const UpdateTaskSchema = z
  .object({ ...UpdateFields, lease_token: LeaseToken.optional() })
  .strict()
  .refine((b) => Object.keys(b).some((k) => k !== "lease_token"), {
    error: "Send status, task_output or error_message",
  })
  .openapi("UpdateTaskRequest", {
    example: { status: "completed", lease_token: "lt_9f8e7d6c5b4a", task_output: { asset_id: 12 } },
  });

export const UpdateByCommitSchema = z
  .object({ commit_id: CommitId, ...UpdateFields, lease_token: LeaseToken.optional() })
  .strict()
  .openapi("UpdateTaskByCommitRequest");

export const BatchUpdateSchema = z
  .object({ commit_ids: z.array(CommitId).min(1).max(500), ...UpdateFields })
  .strict()
  .openapi("BatchUpdateTasksRequest");

export const ListTasksQuery = z
  .object({
    ...Pagination,
    status: z.enum(TASK_STATUSES).optional(),
    task_type: z.string().max(100).optional(),
    project_id: z
      .string()
      .regex(/^[1-9]\d{0,14}$/)
      .transform(Number)
      .optional(),
  })
  .strict();

export const TaskSchema = z
  .object({
    id: z.number().int(),
    project_id: z.number().int(),
    task_type: z.string(),
    status: z.enum(TASK_STATUSES),
    priority: z.number().int(),
    dependencies: z.array(z.number().int()),
    task_output: JsonObject.nullable(),
    platform_account_id: z.number().int().nullable(),
    commit_id: z.string().nullable(),
    error_message: z.string().nullable(),
    attempts: z.number().int(),
    worker_id: z.string().nullable(),
    lease_expires_at: z.string().nullable(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Task");

export const ClaimedTaskSchema = TaskSchema.extend({
  lease_token: z
    .string()
    .openapi({ description: "Send with heartbeats and updates; a stale token is refused" }),
  platform_account: z
    .object({
      id: z.number().int(),
      platform: z.string(),
      name: z.string(),
      credentials: JsonObject.openapi({ description: "Decrypted: only ever returned with a lease" }),
      used_today: z.number().int(),
      remaining_quota: z.number().int(),
    })
    .optional(),
}).openapi("ClaimedTask");
