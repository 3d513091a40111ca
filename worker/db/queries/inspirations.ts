import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../client";
import { type InspirationStatus, inspirations } from "../schema";
import { type N8nTriggerRow, n8nTriggerWithBody } from "./outbox";

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

/**
 * A new inspiration and the trigger of its n8n flow, for one batch: the trigger names the new row
 * through last_insert_rowid() (its `inspiration_id`, and the end of its `callback_url`), so both
 * commit together or neither.
 */
export function newInspirationStatements(
  db: Database,
  ownerId: number,
  input: Parameters<typeof insertInspirationStatement>[2],
  trigger: N8nTriggerRow,
  body: { triggerBody: Record<string, unknown>; callbackPrefix: string },
  now: number,
) {
  const triggerBody = sql`json_set(json(${JSON.stringify({ ...body.triggerBody, inspiration_id: 0 })}),
    '$.inspiration_id', last_insert_rowid(), '$.callback_url', ${body.callbackPrefix} || last_insert_rowid())`;
  return [
    insertInspirationStatement(db, ownerId, input, now),
    n8nTriggerWithBody(db, trigger, triggerBody, now),
  ] as const;
}

/** A delivered inspiration trigger means n8n is generating (a draft only: nothing else moves back). */
export async function markInspirationGenerating(db: Database, id: number, now: number) {
  await db.run(
    sql`UPDATE inspirations SET status = 'generating', updated_at = ${now} WHERE id = ${id} AND status = 'draft'`,
  );
}

/** An inspiration whose trigger could not be delivered is failed, not left hanging. */
export async function failUnreachableInspiration(db: Database, id: number, now: number) {
  await db.run(
    sql`UPDATE inspirations SET status = 'failed', last_error = 'The inspiration workflow could not be reached', updated_at = ${now}
      WHERE id = ${id} AND status IN ('draft', 'generating')`,
  );
}
