import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { ms, timestamps } from "./columns";

type Json = Record<string, unknown>;

export const PIPELINE_STATUSES = ["pending", "processing", "completed", "failed"] as const;
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number];

/** The only allowed moves of a pipeline project's status (the automation API's contract). */
export const PIPELINE_TRANSITIONS: Record<PipelineStatus, readonly PipelineStatus[]> = {
  pending: ["processing", "failed"],
  processing: ["completed", "failed"],
  completed: ["processing"],
  failed: ["pending", "processing"],
};

export const pipelineProjects = sqliteTable(
  "pipeline_projects",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    name: text("name").notNull(),
    projectType: text("project_type").notNull(),
    status: text("status").$type<PipelineStatus>().notNull(),
    initialParameters: text("initial_parameters", { mode: "json" }).$type<Json>(),
    inspirationId: integer("inspiration_id"),
    score: real("score"),
    scoreDetails: text("score_details", { mode: "json" }).$type<Json>(),
    reviewNotes: text("review_notes"),
    usedTransformWorkflowId: text("used_transform_workflow_id"),
    usedExecutionWorkflowId: text("used_execution_workflow_id"),
    totalTasks: integer("total_tasks").notNull().default(0),
    completedTasks: integer("completed_tasks").notNull().default(0),
    failedTasks: integer("failed_tasks").notNull().default(0),
    outputAssetId: integer("output_asset_id"),
    /** Set when the project holds a studio workflow's task graph. */
    studioWorkflowId: integer("studio_workflow_id"),
    /** Names the row inside the D1 batch that created it, before its id is known. */
    createRef: text("create_ref"),
    ...timestamps,
    deletedAt: ms("deleted_at"),
  },
  (t) => [
    index("pipeline_projects_owner_idx").on(t.ownerId, t.deletedAt, t.id),
    index("pipeline_projects_inspiration_idx").on(t.inspirationId),
    uniqueIndex("pipeline_projects_create_ref_unique").on(t.createRef),
  ],
);

export const TASK_STATUSES = [
  "waiting",
  "pending",
  "processing",
  "completed",
  "failed",
  "cancelled",
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const tasks = sqliteTable(
  "tasks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    projectId: integer("project_id")
      .notNull()
      .references(() => pipelineProjects.id),
    taskType: text("task_type").notNull(),
    status: text("status").$type<TaskStatus>().notNull(),
    priority: integer("priority").notNull().default(0),
    /** Denormalised copy of task_dependencies for responses; the table is the truth. */
    dependencies: text("dependencies", { mode: "json" }).$type<number[]>().notNull(),
    taskOutput: text("task_output", { mode: "json" }).$type<Json>(),
    platformAccountId: integer("platform_account_id"),
    commitId: text("commit_id"),
    errorMessage: text("error_message"),
    /** Fencing token of the current claim; updates carrying an older token are refused. */
    leaseToken: text("lease_token"),
    leaseExpiresAt: ms("lease_expires_at"),
    workerId: text("worker_id"),
    attempts: integer("attempts").notNull().default(0),
    /** Studio workflow linkage: the step this task runs and, for fan-out children, its item. */
    workflowId: integer("workflow_id"),
    step: text("step"),
    parentTaskId: integer("parent_task_id"),
    itemRef: text("item_ref"),
    /** Names the row inside the D1 batch that created it, so siblings can depend on it by reference. */
    createRef: text("create_ref"),
    startedAt: ms("started_at"),
    completedAt: ms("completed_at"),
    ...timestamps,
    deletedAt: ms("deleted_at"),
  },
  (t) => [
    uniqueIndex("tasks_commit_unique").on(t.ownerId, t.commitId).where(sql`${t.commitId} IS NOT NULL`),
    // The claim walks a tenant's pending tasks in claim order (highest priority, then oldest) and
    // checks the type from the index itself, so it stops at the first match without sorting.
    index("tasks_claim_idx").on(t.ownerId, t.status, sql`${t.priority} DESC`, t.id, t.taskType),
    // Expired leases, for the claim's second branch and the cron.
    index("tasks_lease_idx").on(t.status, t.leaseExpiresAt),
    index("tasks_project_idx").on(t.projectId, t.status),
    index("tasks_owner_list_idx").on(t.ownerId, t.deletedAt, t.id),
    index("tasks_owner_type_idx").on(t.ownerId, t.taskType, t.id),
    index("tasks_workflow_idx").on(t.workflowId, t.step),
    uniqueIndex("tasks_create_ref_unique").on(t.createRef),
    // A claim's roll-up finds the project of the task it just leased by its token (every claim).
    index("tasks_lease_token_idx").on(t.leaseToken).where(sql`${t.leaseToken} IS NOT NULL`),
    // One child task per item of a fan-out step, however often a chunk of it is delivered.
    uniqueIndex("tasks_item_unique")
      .on(t.parentTaskId, t.itemRef)
      .where(sql`${t.parentTaskId} IS NOT NULL AND ${t.itemRef} IS NOT NULL`),
  ],
);

export const taskDependencies = sqliteTable(
  "task_dependencies",
  {
    taskId: integer("task_id").notNull(),
    dependsOnId: integer("depends_on_id").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.taskId, t.dependsOnId] }),
    index("task_dependencies_reverse_idx").on(t.dependsOnId),
  ],
);

export const assets = sqliteTable(
  "assets",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    assetType: text("asset_type").notNull(),
    storagePath: text("storage_path"),
    /** Set when the bytes live in our R2 bucket (uploaded through /api/assets/{id}/content). */
    r2Key: text("r2_key"),
    contentType: text("content_type"),
    sizeBytes: integer("size_bytes"),
    assetMetadata: text("asset_metadata", { mode: "json" }).$type<Json>(),
    durationSeconds: real("duration_seconds"),
    source: text("source"),
    visibility: text("visibility").notNull().default("private"),
    status: text("status").notNull(),
    ...timestamps,
    deletedAt: ms("deleted_at"),
  },
  (t) => [
    index("assets_owner_idx").on(t.ownerId, t.deletedAt, t.id),
    index("assets_owner_type_idx").on(t.ownerId, t.deletedAt, t.assetType, t.status),
    index("assets_owner_status_idx").on(t.ownerId, t.deletedAt, t.status),
  ],
);

export const INSPIRATION_STATUSES = [
  "draft",
  "generating",
  "pending_review",
  "approved",
  "rejected",
  "failed",
] as const;
export type InspirationStatus = (typeof INSPIRATION_STATUSES)[number];

export const inspirations = sqliteTable(
  "inspirations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    title: text("title").notNull(),
    description: text("description"),
    projectTypeCode: text("project_type_code"),
    source: text("source"),
    parameters: text("parameters", { mode: "json" }).$type<Json>(),
    status: text("status").$type<InspirationStatus>().notNull(),
    score: real("score"),
    scoreDetails: text("score_details", { mode: "json" }).$type<Json>(),
    reviewNotes: text("review_notes"),
    /** n8n's executionId of the last generation callback, and its error if it failed. */
    lastExecutionId: text("last_execution_id"),
    lastError: text("last_error"),
    ...timestamps,
    deletedAt: ms("deleted_at"),
  },
  (t) => [
    index("inspirations_owner_idx").on(t.ownerId, t.deletedAt, t.id),
    index("inspirations_owner_status_idx").on(t.ownerId, t.deletedAt, t.status),
  ],
);

export const platformAccounts = sqliteTable(
  "platform_accounts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    platform: text("platform").notNull(),
    name: text("name").notNull(),
    /** AES-GCM ciphertext (base64) of the credentials JSON; AAD binds it to this row. */
    credentialsCiphertext: text("credentials_ciphertext").notNull(),
    credentialsIv: text("credentials_iv").notNull(),
    credentialsKeyVersion: text("credentials_key_version").notNull(),
    /** The masked form shown in responses, computed once at write time. */
    credentialsMasked: text("credentials_masked", { mode: "json" }).$type<Record<string, string>>().notNull(),
    status: text("status").notNull(),
    dailyLimit: integer("daily_limit").notNull(),
    lastUsedAt: ms("last_used_at"),
    ...timestamps,
    deletedAt: ms("deleted_at"),
  },
  (t) => [index("platform_accounts_owner_idx").on(t.ownerId, t.deletedAt, t.platform, t.status)],
);

export const workerConfigs = sqliteTable(
  "worker_configs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    configName: text("config_name").notNull(),
    configType: text("config_type").notNull(),
    workerType: text("worker_type").notNull(),
    configData: text("config_data", { mode: "json" }).$type<Json>().notNull(),
    description: text("description"),
    priority: integer("priority").notNull().default(0),
    isActive: integer("is_active", { mode: "boolean" }).notNull().default(true),
    ...timestamps,
  },
  (t) => [
    index("worker_configs_owner_idx").on(t.ownerId, t.workerType, t.configType, t.isActive, t.priority),
    index("worker_configs_owner_active_idx").on(t.ownerId, t.isActive, t.priority),
  ],
);

export const taskConfigAssignments = sqliteTable(
  "task_config_assignments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    taskId: integer("task_id").notNull(),
    configId: integer("config_id").notNull(),
    overrideData: text("override_data", { mode: "json" }).$type<Json>(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [uniqueIndex("task_config_assignments_unique").on(t.taskId, t.configId)],
);

/** Inbound n8n callbacks already applied, keyed by their `executionId`, with the answer we gave. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    kind: text("kind").notNull(),
    targetId: integer("target_id").notNull(),
    executionId: text("execution_id").notNull(),
    requestHash: text("request_hash").notNull(),
    response: text("response", { mode: "json" }).$type<Json>(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [uniqueIndex("webhook_deliveries_unique").on(t.ownerId, t.kind, t.targetId, t.executionId)],
);

export const OUTBOX_STATUSES = [
  "pending",
  "enqueued",
  "sending",
  "delivered",
  "skipped",
  "failed",
  "dead",
] as const;

/**
 * Work that must leave the Worker after a D1 write (queue sends, n8n triggers, render dispatch).
 * The row is written in the same batch as the change; a sweeper re-sends rows that never left.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id"),
    kind: text("kind").notNull(),
    dedupeKey: text("dedupe_key").notNull().unique(),
    payload: text("payload", { mode: "json" }).$type<Json>().notNull(),
    status: text("status").$type<(typeof OUTBOX_STATUSES)[number]>().notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: ms("next_attempt_at"),
    targetUrl: text("target_url"),
    lastError: text("last_error"),
    ...timestamps,
    deliveredAt: ms("delivered_at"),
  },
  (t) => [index("outbox_status_idx").on(t.status, t.nextAttemptAt)],
);

/** Single-use, expiring permissions to PUT one object into R2 (renderer outputs, worker uploads). */
export const uploadTokens = sqliteTable("upload_tokens", {
  id: text("id").primaryKey(),
  ownerId: integer("owner_id").notNull(),
  r2Key: text("r2_key").notNull(),
  maxBytes: integer("max_bytes").notNull(),
  contentType: text("content_type"),
  purpose: text("purpose").notNull(),
  expiresAt: ms("expires_at").notNull(),
  usedAt: ms("used_at"),
  createdAt: ms("created_at").notNull(),
});

/**
 * Never holds a row. A batch inserts into it only when the statement before it changed nothing,
 * and the CHECK then aborts the whole batch: D1 rolls a batch back only on an error, and a guarded
 * UPDATE that matches no row is not one (see db/guard.ts).
 */
export const batchGuards = sqliteTable(
  "batch_guards",
  {
    name: text("name").notNull(),
    ok: integer("ok").notNull(),
  },
  (t) => [check("batch_guard_changed", sql`${t.ok} = 1`)],
);
