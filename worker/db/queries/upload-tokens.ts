import { and, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../client";
import { uploadTokens } from "../schema";

export type UploadTokenRow = typeof uploadTokens.$inferSelect;

export async function insertUploadTokens(db: Database, rows: (typeof uploadTokens.$inferInsert)[]) {
  if (rows.length > 0) await db.insert(uploadTokens).values(rows);
}

export async function findUploadToken(db: Database, id: string) {
  const [row] = await db.select().from(uploadTokens).where(eq(uploadTokens.id, id)).limit(1);
  return row;
}

/** Takes the token for one upload; a second taker gets nothing. */
export async function takeUploadToken(db: Database, id: string, now: number) {
  const [row] = await db
    .update(uploadTokens)
    .set({ usedAt: now })
    .where(and(eq(uploadTokens.id, id), isNull(uploadTokens.usedAt), sql`${uploadTokens.expiresAt} > ${now}`))
    .returning();
  return row;
}

/** Gives a token back after an upload that failed, so the renderer's retry can use it. */
export async function releaseUploadToken(db: Database, id: string, takenAt: number) {
  await db
    .update(uploadTokens)
    .set({ usedAt: null })
    .where(and(eq(uploadTokens.id, id), eq(uploadTokens.usedAt, takenAt)));
}

export async function deleteExpiredUploadTokens(db: Database, now: number) {
  await db.delete(uploadTokens).where(sql`${uploadTokens.expiresAt} < ${now - 7 * 24 * 3600_000}`);
}
