import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll } from "../raw";
import { invoices, usageEvents } from "../schema";

export type InvoiceRow = typeof invoices.$inferSelect;

/** Storage snapshots (bytes per UTC day) of one owner whose day starts in [fromMs, toMs). */
export async function storageSnapshots(db: Database, ownerId: number, fromMs: number, toMs: number) {
  const where = and(
    eq(usageEvents.ownerId, ownerId),
    eq(usageEvents.kind, "storage_bytes"),
    lt(usageEvents.occurredAt, toMs),
  );
  const [inRange, before] = await db.batch([
    db
      .select({ at: usageEvents.occurredAt, bytes: usageEvents.quantity })
      .from(usageEvents)
      .where(and(where, gte(usageEvents.occurredAt, fromMs)))
      .orderBy(usageEvents.occurredAt),
    db
      .select({ at: usageEvents.occurredAt, bytes: usageEvents.quantity })
      .from(usageEvents)
      .where(and(where, lt(usageEvents.occurredAt, fromMs)))
      .orderBy(desc(usageEvents.occurredAt))
      .limit(1),
  ]);
  return { inRange, before: before[0] };
}

/** Exports completed in [fromMs, toMs): how many, their video seconds and the credits they used. */
export async function exportUsage(db: Database, ownerId: number, fromMs: number, toMs: number) {
  const [row] = await rawAll<{ count: number; seconds: number; credits: number }>(
    db,
    sql`SELECT COUNT(*) AS count,
          COALESCE(SUM((SELECT quantity FROM usage_events r WHERE r.owner_id = e.owner_id
            AND r.kind = 'video_ms' AND r.ref = e.ref)), 0) / 1000.0 AS seconds,
          COALESCE(SUM(x.cost), 0) AS credits
        FROM usage_events e
        JOIN exports x ON x.id = CAST(substr(e.ref, 8) AS INTEGER) AND x.owner_id = e.owner_id
        WHERE e.owner_id = ${ownerId} AND e.kind = 'video_export'
          AND e.occurred_at >= ${fromMs} AND e.occurred_at < ${toMs}`,
  );
  return row ?? { count: 0, seconds: 0, credits: 0 };
}

/** Users without a storage snapshot for `ref` (a day), oldest accounts first. */
export async function usersWithoutSnapshot(db: Database, ref: string, limit: number) {
  return rawAll<{ id: number }>(
    db,
    sql`SELECT u.id FROM users u WHERE NOT EXISTS (
          SELECT 1 FROM usage_events e WHERE e.owner_id = u.id AND e.kind = 'storage_bytes' AND e.ref = ${ref})
        ORDER BY u.id LIMIT ${limit}`,
  );
}

export async function listInvoices(db: Database, ownerId: number, q: { skip: number; limit: number }) {
  const where = eq(invoices.ownerId, ownerId);
  const [rows, totals] = await db.batch([
    db
      .select()
      .from(invoices)
      .where(where)
      .orderBy(desc(invoices.periodStart), desc(invoices.id))
      .limit(q.limit)
      .offset(q.skip),
    db.select({ total: sql<number>`COUNT(*)` }).from(invoices).where(where),
  ]);
  return { total: totals[0]?.total ?? 0, items: rows };
}
