import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "../client";
import { type InspirationStatus, inspirations } from "../schema";

export type InspirationRow = typeof inspirations.$inferSelect;

const owned = (ownerId: number, id: number) =>
  and(eq(inspirations.id, id), eq(inspirations.ownerId, ownerId), isNull(inspirations.deletedAt));

export function insertInspirationStatement(
  db: Database,
  ownerId: number,
  input: Pick<
    InspirationRow,
    "title" | "description" | "projectTypeCode" | "source" | "parameters" | "status"
  >,
  now: number,
) {
  return db
    .insert(inspirations)
    .values({ ...input, ownerId, createdAt: now, updatedAt: now })
    .returning();
}

export async function findInspiration(db: Database, ownerId: number, id: number) {
  const [row] = await db.select().from(inspirations).where(owned(ownerId, id)).limit(1);
  return row;
}

export async function listInspirations(
  db: Database,
  ownerId: number,
  q: { skip: number; limit: number; status?: InspirationStatus | undefined },
) {
  return db
    .select()
    .from(inspirations)
    .where(
      and(
        eq(inspirations.ownerId, ownerId),
        isNull(inspirations.deletedAt),
        q.status ? eq(inspirations.status, q.status) : undefined,
      ),
    )
    .orderBy(asc(inspirations.id))
    .limit(q.limit)
    .offset(q.skip);
}

export type InspirationPatch = Partial<
  Pick<
    InspirationRow,
    | "title"
    | "description"
    | "projectTypeCode"
    | "source"
    | "parameters"
    | "status"
    | "score"
    | "scoreDetails"
    | "reviewNotes"
    | "lastExecutionId"
    | "lastError"
  >
>;

/** Guarded by the status the caller validated against, so concurrent reviews cannot both win. */
export function updateInspirationStatement(
  db: Database,
  ownerId: number,
  id: number,
  expectedStatus: InspirationStatus,
  patch: InspirationPatch,
  now: number,
) {
  return db
    .update(inspirations)
    .set({ ...patch, updatedAt: now })
    .where(and(owned(ownerId, id), eq(inspirations.status, expectedStatus)))
    .returning();
}

export async function softDeleteInspiration(db: Database, ownerId: number, id: number, now: number) {
  const rows = await db
    .update(inspirations)
    .set({ deletedAt: now, updatedAt: now })
    .where(owned(ownerId, id))
    .returning({ id: inspirations.id });
  return rows.length > 0;
}
