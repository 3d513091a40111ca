import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ms, timestamps } from "./columns";

export const PROJECT_STATUSES = ["draft", "in_progress", "completed"] as const;
export type StudioProjectStatus = (typeof PROJECT_STATUSES)[number];

export const ASPECT_RATIOS = ["9:16", "16:9", "1:1", "4:3", "3:4"] as const;
export type AspectRatio = (typeof ASPECT_RATIOS)[number];

export const API_KEY_SCOPES = ["studio", "automation", "worker", "webhooks"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const users = sqliteTable("users", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  /** Lower-cased and trimmed at the edge, so one address is one account. */
  email: text("email").notNull().unique(),
  username: text("username").notNull(),
  /** PHC-style string, see core/auth/passwords.ts. */
  passwordHash: text("password_hash").notNull(),
  ...timestamps,
});

/** One row per login: the refresh-token family. Revoking it ends every token of that login. */
export const authSessions = sqliteTable(
  "auth_sessions",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: ms("created_at").notNull(),
    lastRefreshedAt: ms("last_refreshed_at"),
    revokedAt: ms("revoked_at"),
    revokeReason: text("revoke_reason"),
  },
  (t) => [index("auth_sessions_user_idx").on(t.userId)],
);

export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    /** SHA-256 of the token; the token itself is never stored. */
    tokenHash: text("token_hash").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => authSessions.id),
    userId: integer("user_id").notNull(),
    issuedAt: ms("issued_at").notNull(),
    expiresAt: ms("expires_at").notNull(),
    /** Set when the token is rotated; a second use after that is reuse. */
    usedAt: ms("used_at"),
    /** Hash of the successor minted by the rotation that used this token. */
    replacedBy: text("replaced_by"),
  },
  (t) => [index("refresh_tokens_session_idx").on(t.sessionId)],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    /** The first characters of the key, shown in lists so users can tell keys apart. */
    prefix: text("prefix").notNull(),
    keyHash: text("key_hash").notNull().unique(),
    scopes: text("scopes", { mode: "json" }).$type<ApiKeyScope[]>().notNull(),
    createdAt: ms("created_at").notNull(),
    lastUsedAt: ms("last_used_at"),
    expiresAt: ms("expires_at"),
    revokedAt: ms("revoked_at"),
  },
  (t) => [index("api_keys_user_idx").on(t.userId, t.revokedAt)],
);

export const studioProjects = sqliteTable(
  "studio_projects",
  {
    id: text("id").primaryKey(),
    ownerId: integer("owner_id")
      .notNull()
      .references(() => users.id),
    name: text("name").notNull(),
    description: text("description"),
    aspectRatio: text("aspect_ratio").$type<AspectRatio>().notNull(),
    script: text("script"),
    status: text("status").$type<StudioProjectStatus>().notNull(),
    ...timestamps,
    deletedAt: ms("deleted_at"),
  },
  (t) => [
    index("studio_projects_owner_list_idx").on(t.ownerId, t.deletedAt, t.createdAt),
    index("studio_projects_owner_status_idx").on(t.ownerId, t.deletedAt, t.status, t.createdAt),
  ],
);

/** Appearance signature computed from the pixels of a character image (see core/media). */
export interface AppearanceSignature {
  version: number;
  /** 64-bit perceptual (DCT) hash as 16 hex digits. */
  phash: string;
  /** Normalised colour histogram (e.g. 4×4×4 RGB bins). */
  histogram: number[];
}

export const characters = sqliteTable(
  "characters",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    projectId: text("project_id")
      .notNull()
      .references(() => studioProjects.id),
    name: text("name").notNull(),
    description: text("description"),
    /** `upload` (a user's image) or `generated` (drawn by the built-in generator). */
    source: text("source").notNull().default("upload"),
    imageKey: text("image_key"),
    imageContentType: text("image_content_type"),
    imageWidth: integer("image_width"),
    imageHeight: integer("image_height"),
    imageBytes: integer("image_bytes"),
    consistencyModelId: text("consistency_model_id"),
    signature: text("signature", { mode: "json" }).$type<AppearanceSignature>(),
    signatureComputedAt: ms("signature_computed_at"),
    signatureProcessingMs: integer("signature_processing_ms"),
    ...timestamps,
    deletedAt: ms("deleted_at"),
  },
  (t) => [
    index("characters_owner_project_idx").on(t.ownerId, t.projectId, t.deletedAt),
    // Script parsing looks a speaker up by name, case-insensitively, among a project's live characters.
    index("characters_project_name_idx")
      .on(t.ownerId, t.projectId, sql`lower(${t.name})`)
      .where(sql`${t.deletedAt} IS NULL`),
  ],
);

export const STORYBOARD_STATUSES = ["pending", "generating", "completed", "failed"] as const;
export type StoryboardStatus = (typeof STORYBOARD_STATUSES)[number];

export const storyboards = sqliteTable(
  "storyboards",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    projectId: text("project_id")
      .notNull()
      .references(() => studioProjects.id),
    sceneNumber: integer("scene_number").notNull(),
    description: text("description").notNull(),
    /** Dialogue of the scene, burned in as the caption. */
    caption: text("caption"),
    characterIds: text("character_ids", { mode: "json" }).$type<number[]>().notNull(),
    duration: real("duration").notNull(),
    status: text("status").$type<StoryboardStatus>().notNull(),
    style: text("style"),
    imageKey: text("image_key"),
    /** `generated` or `upload` (a human override). */
    imageSource: text("image_source"),
    consistencyScore: real("consistency_score"),
    processingMs: integer("processing_ms"),
    error: text("error"),
    ...timestamps,
    deletedAt: ms("deleted_at"),
  },
  (t) => [
    uniqueIndex("storyboards_scene_unique").on(t.projectId, t.sceneNumber).where(sql`${t.deletedAt} IS NULL`),
    index("storyboards_owner_project_idx").on(t.ownerId, t.projectId, t.deletedAt, t.sceneNumber),
  ],
);

export const WORKFLOW_TYPES = ["full_production", "storyboard", "render"] as const;
export type WorkflowType = (typeof WORKFLOW_TYPES)[number];
export const WORKFLOW_STATUSES = ["running", "paused", "completed", "failed", "cancelled"] as const;
export type WorkflowStatus = (typeof WORKFLOW_STATUSES)[number];

export const workflows = sqliteTable(
  "workflows",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    projectId: text("project_id")
      .notNull()
      .references(() => studioProjects.id),
    /** The automation pipeline project that holds this workflow's task graph. */
    pipelineProjectId: integer("pipeline_project_id"),
    workflowType: text("workflow_type").$type<WorkflowType>().notNull(),
    generator: text("generator").notNull().default("builtin"),
    options: text("options", { mode: "json" }).$type<Record<string, unknown>>(),
    status: text("status").$type<WorkflowStatus>().notNull(),
    currentStep: text("current_step"),
    progress: real("progress").notNull().default(0),
    error: text("error"),
    /** The provider each step uses, decided at the start (core/generation/choice.ts). */
    providers: text("providers", { mode: "json" }).$type<Record<string, unknown>>(),
    /** The quote the start reserved (core/generation/quote.ts), hundredths of a credit per line. */
    quote: text("quote", { mode: "json" }).$type<Record<string, unknown>>(),
    /** What is left of the reservation (hundredths), returned when the workflow ends. */
    creditsReserved: integer("credits_reserved").notNull().default(0),
    /** Generation charged so far (hundredths). */
    creditsCharged: integer("credits_charged").notNull().default(0),
    ...timestamps,
    completedAt: ms("completed_at"),
  },
  (t) => [
    index("workflows_owner_project_idx").on(t.ownerId, t.projectId, t.createdAt),
    index("workflows_status_idx").on(t.status),
    // One live workflow per project: two would parse the same script into the same storyboards.
    // Render workflows (exports) only read the storyboards: any number may run beside the others.
    uniqueIndex("workflows_active_project_unique")
      .on(t.projectId)
      .where(sql`${t.status} IN ('running', 'paused') AND ${t.workflowType} != 'render'`),
  ],
);

/**
 * Every change of a workflow's task, written by SQLite triggers on `tasks` in the same transaction
 * as the change itself (migrations/0001_workflow_event_triggers.sql), whatever made it: the engine,
 * a claim, a webhook, the cron or the renderer's callbacks. The WorkflowRun object reads them in id
 * order after its cursor, so each change reaches it exactly once and in order, and deletes what it
 * has read.
 */
export const workflowEvents = sqliteTable(
  "workflow_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    workflowId: integer("workflow_id").notNull(),
    taskId: integer("task_id").notNull(),
    step: text("step"),
    parentTaskId: integer("parent_task_id"),
    itemRef: text("item_ref"),
    taskType: text("task_type").notNull(),
    /** Null when the task was inserted. */
    oldStatus: text("old_status"),
    newStatus: text("new_status").notNull(),
    errorMessage: text("error_message"),
    at: ms("at").notNull(),
  },
  (t) => [index("workflow_events_workflow_idx").on(t.workflowId, t.id)],
);

export const EXPORT_STATUSES = ["queued", "processing", "completed", "failed", "cancelled"] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export const exportsTable = sqliteTable(
  "exports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    projectId: text("project_id")
      .notNull()
      .references(() => studioProjects.id),
    workflowId: integer("workflow_id"),
    taskId: integer("task_id"),
    /** Names the row inside the D1 batch that creates it (credits, outbox), before its id is known. */
    createRef: text("create_ref"),
    resolution: text("resolution").notNull(),
    format: text("format").notNull(),
    includeSubtitles: integer("include_subtitles", { mode: "boolean" }).notNull(),
    status: text("status").$type<ExportStatus>().notNull(),
    progress: real("progress").notNull().default(0),
    /** Planned length in seconds: scene durations minus 0.5 s per crossfade. */
    videoLength: real("video_length").notNull(),
    /** Credits in hundredths. */
    cost: integer("cost").notNull(),
    estimatedCompletionAt: ms("estimated_completion_at"),
    videoKey: text("video_key"),
    subtitleKey: text("subtitle_key"),
    vttKey: text("vtt_key"),
    posterKey: text("poster_key"),
    contactSheetKey: text("contact_sheet_key"),
    fileSize: integer("file_size"),
    duration: real("duration"),
    encoder: text("encoder"),
    renderSeconds: real("render_seconds"),
    /** Optional background music (an audio asset of the owner). */
    musicAssetId: integer("music_asset_id"),
    error: text("error"),
    ...timestamps,
    startedAt: ms("started_at"),
    completedAt: ms("completed_at"),
  },
  (t) => [
    index("exports_owner_created_idx").on(t.ownerId, t.createdAt),
    index("exports_project_idx").on(t.projectId),
    index("exports_status_idx").on(t.status),
    uniqueIndex("exports_create_ref_unique").on(t.createRef),
    // One live export per workflow step: a redelivered dispatch of the step finds the export it
    // made; a retried step after a failed export makes a new one.
    uniqueIndex("exports_task_unique")
      .on(t.taskId)
      .where(sql`${t.taskId} IS NOT NULL AND ${t.status} IN ('queued', 'processing')`),
  ],
);

/**
 * Replays of POSTs carrying `Idempotency-Key`: the first response is stored and returned for a
 * repeat with the same body; a different body under the same key is a conflict.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    ownerId: integer("owner_id").notNull(),
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    /** Null while the first request is still in flight. */
    statusCode: integer("status_code"),
    responseBody: text("response_body"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [uniqueIndex("idempotency_keys_pk").on(t.ownerId, t.scope, t.key)],
);
