import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { abortUnlessChanged } from "../guard";
import { rawRun } from "../raw";
import { type GenerationState, generationJobs } from "../schema";

/**
 * Generation jobs (schema/generation.ts) and the money of each: every state change is guarded by
 * the state it comes from, so two invocations that somehow hold the same job cannot both move it.
 */
export type GenerationJobRow = typeof generationJobs.$inferSelect;

/** The newest attempt of an item task's take, if any. */
export async function findLatestJob(
  db: Database,
  taskId: number,
  take: number,
): Promise<GenerationJobRow | undefined> {
  const [row] = await db
    .select()
    .from(generationJobs)
    .where(and(eq(generationJobs.taskId, taskId), eq(generationJobs.take, take)))
    .orderBy(desc(generationJobs.attempt))
    .limit(1);
  return row;
}

/** Records an attempt before anything is reserved or sent; a second insert of it changes nothing. */
export async function insertJob(
  db: Database,
  job: Pick<
    GenerationJobRow,
    | "ownerId"
    | "workflowId"
    | "taskId"
    | "attempt"
    | "take"
    | "kind"
    | "subject"
    | "platform"
    | "model"
    | "requestHash"
    | "quotedCost"
  >,
  now: number,
): Promise<GenerationJobRow> {
  await db
    .insert(generationJobs)
    .values({ ...job, state: "recorded", money: "none", createdAt: now, updatedAt: now })
    .onConflictDoNothing();
  const [row] = await db
    .select()
    .from(generationJobs)
    .where(
      and(
        eq(generationJobs.taskId, job.taskId),
        eq(generationJobs.take, job.take),
        eq(generationJobs.attempt, job.attempt),
      ),
    )
    .limit(1);
  if (!row) throw new Error("generation job vanished after insert");
  return row;
}

/** Moves a job from one of `from` to a new state with a patch; undefined when it was elsewhere. */
export async function moveJob(
  db: Database,
  id: number,
  from: readonly GenerationState[],
  patch: Partial<Omit<GenerationJobRow, "id" | "ownerId" | "taskId" | "attempt" | "createdAt">>,
  now: number,
): Promise<GenerationJobRow | undefined> {
  const [row] = await db
    .update(generationJobs)
    .set({ ...patch, updatedAt: now })
    .where(
      and(
        eq(generationJobs.id, id),
        sql`${generationJobs.state} IN (SELECT value FROM json_each(${JSON.stringify(from)}))`,
      ),
    )
    .returning();
  return row;
}

/**
 * Holds a job's price: out of its workflow's reservation when what is left covers it, else fresh
 * from the owner's credits (the subscriptions CHECK aborts the batch when they are short). With a
 * cap (`max_credits`), the hold also aborts when what the workflow has charged and holds plus this
 * price would pass it. Guarded: a job is held once.
 */
export function holdStatements(
  db: Database,
  job: { id: number; ownerId: number; workflowId: number | null; quotedCost: number; label: string },
  maxCredits: number | null,
  now: number,
) {
  const p = job.quotedCost;
  const wf = job.workflowId ?? 0;
  const cap =
    maxCredits === null
      ? sql`1`
      : sql`(SELECT credits_charged FROM workflows WHERE id = ${wf})
          + (SELECT COALESCE(SUM(quoted_cost), 0) FROM generation_jobs WHERE workflow_id = ${wf} AND money = 'held')
          + ${p} <= ${maxCredits}`;
  return [
    rawRun(
      db,
      sql`UPDATE generation_jobs SET money = 'held',
          from_reservation = COALESCE((SELECT credits_reserved >= ${p} FROM workflows WHERE id = ${wf}), 0),
          updated_at = ${now}
        WHERE id = ${job.id} AND money = 'none' AND ${cap}`,
    ),
    abortUnlessChanged(db, `generation-hold:${job.id}`),
    rawRun(
      db,
      sql`UPDATE subscriptions SET quota_used = quota_used + ${p}, updated_at = ${now}
        WHERE user_id = ${job.ownerId} AND (SELECT from_reservation FROM generation_jobs WHERE id = ${job.id}) = 0`,
    ),
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, generation_job_id, workflow_id, description, created_at)
        SELECT ${job.ownerId}, 'reserve', ${-p}, ${job.id}, ${job.workflowId}, ${`Reserved for ${job.label}`}, ${now}
        WHERE (SELECT from_reservation FROM generation_jobs WHERE id = ${job.id}) = 0`,
    ),
    rawRun(
      db,
      sql`UPDATE workflows SET credits_reserved = credits_reserved - ${p}, updated_at = ${now}
        WHERE id = ${wf} AND (SELECT from_reservation FROM generation_jobs WHERE id = ${job.id}) = 1`,
    ),
  ];
}

/**
 * A succeeded job is charged exactly its quoted price, once, in the batch that completes its item:
 * the ledger's commit line, the workflow's charged total and the usage event.
 */
export function chargeStatements(
  db: Database,
  job: { id: number; ownerId: number; workflowId: number | null; quotedCost: number; label: string },
  now: number,
) {
  const p = job.quotedCost;
  return [
    rawRun(
      db,
      sql`UPDATE generation_jobs SET money = 'charged', settled_cost = quoted_cost, updated_at = ${now}
        WHERE id = ${job.id} AND money = 'held'`,
    ),
    abortUnlessChanged(db, `generation-charge:${job.id}`),
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, generation_job_id, workflow_id, description, created_at)
        VALUES (${job.ownerId}, 'commit', 0, ${job.id}, ${job.workflowId}, ${`${job.label}: ${(p / 100).toFixed(2)} credits used`}, ${now})`,
    ),
    rawRun(
      db,
      sql`UPDATE workflows SET credits_charged = credits_charged + ${p}, updated_at = ${now} WHERE id = ${job.workflowId ?? 0}`,
    ),
    rawRun(
      db,
      sql`INSERT INTO usage_events (owner_id, kind, quantity, ref, occurred_at, created_at)
        VALUES (${job.ownerId}, 'generation', ${p}, ${`generation:${job.id}`}, ${now}, ${now}) ON CONFLICT DO NOTHING`,
    ),
  ];
}

/**
 * A failed job's held credits go back to the owner once (to the quota month they came from, as an
 * export's refund does); nothing of it is charged.
 */
export function refundStatements(
  db: Database,
  job: {
    id: number;
    ownerId: number;
    workflowId: number | null;
    quotedCost: number;
    label: string;
    createdAt: number;
  },
  now: number,
) {
  const p = job.quotedCost;
  return [
    rawRun(
      db,
      sql`UPDATE generation_jobs SET money = 'refunded', settled_cost = 0, updated_at = ${now}
        WHERE id = ${job.id} AND money = 'held'`,
    ),
    abortUnlessChanged(db, `generation-refund:${job.id}`),
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, generation_job_id, workflow_id, description, created_at)
        VALUES (${job.ownerId}, 'refund', ${p}, ${job.id}, ${job.workflowId}, ${`${job.label} failed: credits returned`}, ${now})`,
    ),
    rawRun(
      db,
      sql`UPDATE subscriptions SET quota_used = MAX(0, quota_used - ${p}), updated_at = ${now}
        WHERE user_id = ${job.ownerId} AND current_period_start <= ${job.createdAt}`,
    ),
  ];
}

/**
 * A workflow's start reserves its quote (hundredths) in its start batch: the subscriptions CHECK
 * aborts the batch when the credits are short.
 */
export function reserveQuoteStatements(
  db: Database,
  w: { workflowId: number; ownerId: number; amount: number },
  now: number,
) {
  if (w.amount <= 0) return [];
  return [
    rawRun(
      db,
      sql`UPDATE subscriptions SET quota_used = quota_used + ${w.amount}, updated_at = ${now} WHERE user_id = ${w.ownerId}`,
    ),
    rawRun(
      db,
      sql`UPDATE workflows SET credits_reserved = ${w.amount}, updated_at = ${now} WHERE id = ${w.workflowId}`,
    ),
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, workflow_id, description, created_at)
        VALUES (${w.ownerId}, 'reserve', ${-w.amount}, ${w.workflowId}, ${`Reserved for workflow ${w.workflowId}`}, ${now})`,
    ),
  ];
}

/**
 * A workflow that ended returns what is left of its reservation, once (the ledger's unique line per
 * workflow and kind): to the quota month it was taken from.
 */
export function returnReservationStatements(db: Database, workflowId: number, now: number) {
  return [
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, workflow_id, description, created_at)
        SELECT owner_id, 'refund', credits_reserved, id, 'Workflow ' || id || ' ended: unused reservation returned', ${now}
        FROM workflows WHERE id = ${workflowId} AND credits_reserved > 0
        ON CONFLICT DO NOTHING`,
    ),
    rawRun(
      db,
      sql`UPDATE subscriptions SET quota_used = MAX(0, quota_used - (SELECT credits_reserved FROM workflows WHERE id = ${workflowId})),
          updated_at = ${now}
        WHERE user_id = (SELECT owner_id FROM workflows WHERE id = ${workflowId})
          AND current_period_start <= (SELECT created_at FROM workflows WHERE id = ${workflowId})
          AND (SELECT credits_reserved FROM workflows WHERE id = ${workflowId}) > 0`,
    ),
    rawRun(
      db,
      sql`UPDATE workflows SET credits_reserved = 0 WHERE id = ${workflowId} AND credits_reserved > 0`,
    ),
  ];
}
