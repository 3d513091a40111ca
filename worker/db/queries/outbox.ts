import { and, eq, inArray, lt, or } from "drizzle-orm";
import type { Database } from "../client";
import { outbox } from "../schema";

export type OutboxKind = "r2_cleanup";

export interface NewOutboxRow {
  ownerId: number | null;
  kind: OutboxKind;
  dedupeKey: string;
  payload: Record<string, unknown>;
}

/** The insert for a D1 batch: the outbox row commits together with the change it announces. */
export function outboxInsert(db: Database, row: NewOutboxRow, now: number) {
  return db
    .insert(outbox)
    .values({ ...row, status: "pending", attempts: 0, createdAt: now, updatedAt: now })
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

export async function markEnqueued(db: Database, ids: number[], now: number) {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ status: "enqueued", updatedAt: now })
    .where(and(inArray(outbox.id, ids), eq(outbox.status, "pending")));
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
        and(inArray(outbox.status, ["enqueued", "failed"]), lt(outbox.updatedAt, now - 6 * 3600_000)),
      ),
    )
    .limit(limit);
}
