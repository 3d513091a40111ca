import { and, desc, eq, gte, lt, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll } from "../raw";
import { apiKeys, usageEvents } from "../schema";

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

/** Records one day's storage snapshot; a second one for the same day records nothing. */
export async function insertStorageSnapshot(
  db: Database,
  s: { ownerId: number; bytes: number; ref: string; day: number; now: number },
) {
  await db
    .insert(usageEvents)
    .values({
      ownerId: s.ownerId,
      kind: "storage_bytes",
      quantity: s.bytes,
      ref: s.ref,
      occurredAt: s.day,
      createdAt: s.now,
    })
    .onConflictDoNothing();
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

/** Every API key a user ever had (revoked ones too: their calls were made), for metering API calls. */
export async function apiKeyIdsOf(db: Database, userId: number) {
  return db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.userId, userId));
}
