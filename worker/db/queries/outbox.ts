import { and, eq, inArray, lt, or } from "drizzle-orm";
import type { Database } from "../client";
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
