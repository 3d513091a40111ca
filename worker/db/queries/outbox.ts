import { and, eq, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll } from "../raw";
import { outbox } from "../schema";

export type OutboxKind =
  | "r2_cleanup"
  | "n8n_trigger"
  | "render_dispatch"
  | "render_cancel"
  | "stripe_invoice_sync";

export interface NewOutboxRow {
  ownerId: number | null;
  kind: OutboxKind;
  dedupeKey: string;
  payload: Record<string, unknown>;
  targetUrl?: string | null;
  /** `skipped` records work that has nowhere to go (no webhook configured). */
  status?: "pending" | "skipped";
}

/** The insert for a D1 batch: the outbox row commits together with the change it announces. */
export function outboxInsert(db: Database, row: NewOutboxRow, now: number) {
  return db
    .insert(outbox)
    .values({
      ownerId: row.ownerId,
      kind: row.kind,
      dedupeKey: row.dedupeKey,
      payload: row.payload,
      targetUrl: row.targetUrl ?? null,
      status: row.status ?? "pending",
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .returning({ id: outbox.id });
}

export async function findOutboxRow(db: Database, id: number) {
  return db.query.outbox.findFirst({ where: eq(outbox.id, id) });
}

export async function markOutbox(
  db: Database,
  id: number,
  patch: Partial<
    Pick<typeof outbox.$inferInsert, "status" | "attempts" | "lastError" | "deliveredAt" | "nextAttemptAt">
  >,
  now: number,
) {
  await db
    .update(outbox)
    .set({ ...patch, updatedAt: now })
    .where(eq(outbox.id, id));
}

/** Takes a row for sending; only one of several concurrent deliveries of its message gets it. */
export async function claimOutboxRow(db: Database, id: number, now: number) {
  const [row] = await db
    .update(outbox)
    .set({ status: "sending", updatedAt: now })
    .where(and(eq(outbox.id, id), inArray(outbox.status, ["pending", "enqueued", "failed"])))
    .returning();
  return row;
}

export async function markEnqueued(db: Database, ids: number[], now: number) {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ status: "enqueued", updatedAt: now })
    // A stale `sending` row (its consumer died mid-send) becomes claimable again.
    .where(and(inArray(outbox.id, ids), inArray(outbox.status, ["pending", "sending"])));
}

/**
 * Rows that were written but never reached the queue (the send failed or the Worker died between
 * the batch and the send), and enqueued rows that went quiet for far longer than any retry plan.
 */
export async function findStrandedOutbox(db: Database, now: number, limit: number) {
  return db
    .select({ id: outbox.id })
    .from(outbox)
    .where(
      or(
        and(eq(outbox.status, "pending"), lt(outbox.updatedAt, now - 30_000)),
        // A consumer that died while sending leaves its row in `sending`.
        and(eq(outbox.status, "sending"), lt(outbox.updatedAt, now - 10 * 60_000)),
        and(inArray(outbox.status, ["enqueued", "failed"]), lt(outbox.updatedAt, now - 6 * 3600_000)),
      ),
    )
    .limit(limit);
}

/** An n8n trigger to record in the batch that causes it; `url` null records it as skipped. */
export interface N8nTriggerRow {
  ownerId: number;
  workflow: string;
  triggerId: string;
  url: string | null;
}

/**
 * The outbox row of one n8n trigger, for the batch that causes it: the trigger leaves only if the
 * change commits, and is sent (signed, retried, dead-lettered) by the jobs consumer. `body` is
 * SQL here so that a query may name rows the same batch creates (see newInspirationStatements).
 */
export function n8nTriggerWithBody(db: Database, t: N8nTriggerRow, body: SQL, now: number) {
  return rawAll<{ id: number; status: string }>(
    db,
    sql`INSERT INTO outbox (owner_id, kind, dedupe_key, payload, status, attempts, target_url, created_at, updated_at)
      VALUES (${t.ownerId}, 'n8n_trigger', ${`n8n:${t.triggerId}`},
        json_object('workflow', ${t.workflow}, 'trigger_id', ${t.triggerId}, 'body', ${body}),
        ${t.url ? "pending" : "skipped"}, 0, ${t.url}, ${now}, ${now})
      RETURNING id, status`,
  );
}

export function n8nTriggerStatement(
  db: Database,
  t: N8nTriggerRow,
  body: Record<string, unknown>,
  now: number,
) {
  return n8nTriggerWithBody(db, t, sql`json(${JSON.stringify(body)})`, now);
}

/** Outbox ids to enqueue from a trigger statement's result (a skipped trigger has nowhere to go). */
export function triggerIds(result: unknown): number[] {
  return ((result as { id: number; status: string }[] | undefined) ?? [])
    .filter((r) => r.status === "pending")
    .map((r) => r.id);
}
