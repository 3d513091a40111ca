import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { abortUnlessChanged } from "../guard";
import { rawRun } from "../raw";
import { takes } from "../schema";

/** Candidates of a generated thing (schema/generation.ts `takes`). */
export type TakeRow = typeof takes.$inferSelect;
export type NewTake = Omit<TakeRow, "id" | "createdAt" | "updatedAt">;

/** Records a job's takes; a redelivery that records them again changes nothing. */
export function insertTakesStatement(db: Database, rows: NewTake[], now: number) {
  return db
    .insert(takes)
    .values(rows.map((r) => ({ ...r, createdAt: now, updatedAt: now })))
    .onConflictDoNothing();
}

/** Unselects the other takes of a subject (run before a job's takes are recorded with one selected). */
export function unselectTakesStatement(
  db: Database,
  ownerId: number,
  kind: string,
  subjectId: number,
  now: number,
) {
  return db
    .update(takes)
    .set({ selected: false, updatedAt: now })
    .where(and(eq(takes.ownerId, ownerId), eq(takes.subjectKind, kind), eq(takes.subjectId, subjectId)));
}

export function listTakes(db: Database, ownerId: number, kind: string, subjectId: number) {
  return db
    .select()
    .from(takes)
    .where(and(eq(takes.ownerId, ownerId), eq(takes.subjectKind, kind), eq(takes.subjectId, subjectId)))
    .orderBy(asc(takes.createdAt), asc(takes.id));
}

export async function findTake(db: Database, ownerId: number, id: number) {
  const [row] = await db
    .select()
    .from(takes)
    .where(and(eq(takes.ownerId, ownerId), eq(takes.id, id)))
    .limit(1);
  return row;
}

/**
 * Selecting a storyboard take is a human choice: the take becomes the storyboard's image, marked
 * `upload` so workflows leave it alone (a human override stays untouched), in one guarded batch.
 */
export function selectStoryboardTakeStatements(db: Database, take: TakeRow, now: number) {
  return [
    rawRun(
      db,
      sql`UPDATE storyboards SET image_key = ${take.r2Key}, image_source = 'upload', consistency_score = ${take.score},
          status = 'completed', error = NULL, updated_at = ${now}
        WHERE id = ${take.subjectId} AND owner_id = ${take.ownerId} AND deleted_at IS NULL`,
    ),
    abortUnlessChanged(db, `take-select:${take.id}`),
    unselectTakesStatement(db, take.ownerId, take.subjectKind, take.subjectId, now),
    db.update(takes).set({ selected: true, updatedAt: now }).where(eq(takes.id, take.id)),
  ];
}
