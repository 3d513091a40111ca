import { and, eq, lt, sql } from "drizzle-orm";
import type { Database } from "../client";
import { idempotencyKeys } from "../schema";

/** One Idempotency-Key of one owner, for one kind of request. */
export interface IdempotencyKeyRef {
  ownerId: number;
  scope: string;
  key: string;
}

const keyIs = (k: IdempotencyKeyRef) =>
  and(
    eq(idempotencyKeys.ownerId, k.ownerId),
    eq(idempotencyKeys.scope, k.scope),
    eq(idempotencyKeys.key, k.key),
  );

/** Clears the key if it expired, or if its first request never answered within `staleBefore`. */
export async function clearDeadIdempotencyKey(
  db: Database,
  k: IdempotencyKeyRef,
  expiredBefore: number,
  staleBefore: number,
) {
  await db
    .delete(idempotencyKeys)
    .where(
      and(
        keyIs(k),
        sql`(${idempotencyKeys.createdAt} < ${expiredBefore} OR (${idempotencyKeys.statusCode} IS NULL AND ${idempotencyKeys.createdAt} < ${staleBefore}))`,
      ),
    );
}

/** Takes the key atomically for a first request; false when another request holds it already. */
export async function takeIdempotencyKey(
  db: Database,
  k: IdempotencyKeyRef,
  requestHash: string,
  now: number,
) {
  const taken = await db
    .insert(idempotencyKeys)
    .values({ ...k, requestHash, createdAt: now })
    .onConflictDoNothing()
    .returning();
  return taken.length > 0;
}

export async function findIdempotencyKey(db: Database, k: IdempotencyKeyRef) {
  const [row] = await db.select().from(idempotencyKeys).where(keyIs(k)).limit(1);
  return row;
}

/** A first request that failed leaves no trace, so the client may retry under the same key. */
export async function releaseIdempotencyKey(db: Database, k: IdempotencyKeyRef) {
  await db.delete(idempotencyKeys).where(keyIs(k));
}

export async function storeIdempotentAnswer(db: Database, k: IdempotencyKeyRef, body: unknown) {
  await db
    .update(idempotencyKeys)
    .set({ statusCode: 200, responseBody: JSON.stringify(body) })
    .where(keyIs(k));
}

export async function deleteIdempotencyKeysBefore(db: Database, before: number) {
  await db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before));
}
