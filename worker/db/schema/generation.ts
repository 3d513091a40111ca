import { sql } from "drizzle-orm";
import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ms, timestamps } from "./columns";

/**
 * A call to an AI provider, recorded before it is sent (core/generation/). One row per attempt of
 * an item task's take, unique on (task, take, attempt), so a redelivered message, an evicted object or a
 * restarted Worker finds the row and resumes it instead of submitting again.
 *
 * `state`: `recorded` (nothing reserved, nothing sent) → `reserved` (a quota unit and the credits
 * are held) → `submitting` (the request is on the wire; a row left here by a crash is never sent
 * again) → `pending` (the vendor's job id is stored; polled) → `succeeded` (the result is in R2) |
 * `failed`. `money`: `none` → `held` → `charged` | `refunded`.
 */
export const GENERATION_STATES = [
  "recorded",
  "reserved",
  "submitting",
  "pending",
  "succeeded",
  "failed",
] as const;
export type GenerationState = (typeof GENERATION_STATES)[number];
export const GENERATION_MONEY = ["none", "held", "charged", "refunded"] as const;
export type GenerationMoney = (typeof GENERATION_MONEY)[number];

export const generationJobs = sqliteTable(
  "generation_jobs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    workflowId: integer("workflow_id"),
    taskId: integer("task_id").notNull(),
    attempt: integer("attempt").notNull(),
    /** Which candidate of the item (`takes: N` draws N, one call each). */
    take: integer("take").notNull().default(0),
    /** `llm` | `image` (tts and video next). */
    kind: text("kind").notNull(),
    /** What the call makes: `storyboard:12`, `character:3`, `script:<project>`. */
    subject: text("subject").notNull(),
    platform: text("platform").notNull(),
    model: text("model").notNull(),
    platformAccountId: integer("platform_account_id"),
    /** SHA-256 of the canonical request (providers/request-hash.ts): never the prompt or a credential. */
    requestHash: text("request_hash").notNull(),
    providerJobId: text("provider_job_id"),
    state: text("state").$type<GenerationState>().notNull(),
    money: text("money").$type<GenerationMoney>().notNull().default("none"),
    /** Hundredths of a credit: the quoted price of this call, and what it settled at. */
    quotedCost: integer("quoted_cost").notNull(),
    settledCost: integer("settled_cost"),
    /** Whether the held credits came out of the workflow's reservation (else fresh from the balance). */
    fromReservation: integer("from_reservation", { mode: "boolean" }).notNull().default(false),
    /** The results copied into R2 (JSON list of {key, content_type, width, height, bytes}) or the LLM's data. */
    result: text("result", { mode: "json" }).$type<unknown>(),
    error: text("error"),
    errorCode: text("error_code"),
    /** When the next poll is due (ms). */
    pollAt: ms("poll_at"),
    polls: integer("polls").notNull().default(0),
    submittedAt: ms("submitted_at"),
    finishedAt: ms("finished_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("generation_jobs_task_attempt_unique").on(t.taskId, t.take, t.attempt),
    index("generation_jobs_owner_idx").on(t.ownerId, t.createdAt),
    index("generation_jobs_workflow_idx").on(t.workflowId),
  ],
);

/**
 * Candidates of a generated thing (`takes: N`): every take is kept, one is selected. A general
 * model — `subject_kind` is `storyboard` now; voice lines and clips add their kinds (`media`:
 * image, audio, video) on the same table.
 */
export const takes = sqliteTable(
  "takes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    subjectKind: text("subject_kind").notNull(),
    subjectId: integer("subject_id").notNull(),
    media: text("media").notNull(),
    generationJobId: integer("generation_job_id"),
    /** Which candidate of its job (0-based). */
    position: integer("position").notNull(),
    r2Key: text("r2_key").notNull(),
    contentType: text("content_type").notNull(),
    width: integer("width"),
    height: integer("height"),
    bytes: integer("bytes"),
    score: real("score"),
    platform: text("platform").notNull(),
    model: text("model").notNull(),
    selected: integer("selected", { mode: "boolean" }).notNull().default(false),
    ...timestamps,
  },
  (t) => [
    index("takes_subject_idx").on(t.ownerId, t.subjectKind, t.subjectId, t.createdAt),
    uniqueIndex("takes_job_position_unique")
      .on(t.generationJobId, t.position)
      .where(sql`${t.generationJobId} IS NOT NULL`),
  ],
);
