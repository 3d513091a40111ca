import { and, asc, count, eq, gt, isNull, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../client";
import { abortUnlessChanged } from "../guard";
import { rawAll, rawRun } from "../raw";
import { storyboards } from "../schema";
import type { StoryboardStatus } from "../schema/studio";

export type StoryboardRow = typeof storyboards.$inferSelect;

/**
 * A storyboard is reachable only while its project is: deleting a project makes every storyboard
 * of it a 404 for reads and writes alike, whatever request was in flight (an image written meanwhile
 * is removed by its writer when the update finds no row).
 */
const IN_LIVE_PROJECT = sql.raw(
  "EXISTS (SELECT 1 FROM studio_projects p WHERE p.id = storyboards.project_id AND p.deleted_at IS NULL)",
);

const owned = (ownerId: number, id: number) =>
  and(
    eq(storyboards.id, id),
    eq(storyboards.ownerId, ownerId),
    isNull(storyboards.deletedAt),
    IN_LIVE_PROJECT,
  );

export interface NewStoryboard {
  sceneNumber: number | null;
  description: string;
  caption: string | null;
  characterIds: number[];
  duration: number;
}

/**
 * Inserts storyboards into a project the owner holds, in one statement: a missing scene number
 * takes the next free one after the project's last scene (and after the ones before it in the same
 * list). A taken scene number fails on the unique index.
 */
export function insertStoryboardsStatement(
  db: Database,
  ownerId: number,
  projectId: string,
  rows: NewStoryboard[],
  now: number,
) {
  return rawAll<{ id: number }>(
    db,
    sql`INSERT INTO storyboards (owner_id, project_id, scene_number, description, caption, character_ids, duration,
        status, created_at, updated_at)
      SELECT ${ownerId}, p.id,
        COALESCE(json_extract(j.value, '$.sceneNumber'),
          (SELECT COALESCE(MAX(scene_number), 0) FROM storyboards WHERE project_id = p.id AND deleted_at IS NULL) + 1),
        json_extract(j.value, '$.description'), json_extract(j.value, '$.caption'),
        json_extract(j.value, '$.characterIds'), json_extract(j.value, '$.duration'), 'pending', ${now}, ${now}
      FROM json_each(${JSON.stringify(rows)}) j
      JOIN studio_projects p ON p.id = ${projectId} AND p.owner_id = ${ownerId} AND p.deleted_at IS NULL
      ORDER BY CAST(j.key AS INTEGER)
      RETURNING id`,
  );
}

export async function findStoryboard(db: Database, ownerId: number, id: number) {
  const [row] = await db.select().from(storyboards).where(owned(ownerId, id)).limit(1);
  return row;
}

export function listProjectStoryboards(db: Database, ownerId: number, projectId: string) {
  return db
    .select()
    .from(storyboards)
    .where(
      and(
        eq(storyboards.ownerId, ownerId),
        eq(storyboards.projectId, projectId),
        isNull(storyboards.deletedAt),
      ),
    )
    .orderBy(asc(storyboards.sceneNumber));
}

export type StoryboardPatch = Partial<{
  sceneNumber: number;
  description: string;
  caption: string | null;
  characterIds: number[];
  duration: number;
  status: StoryboardStatus;
  style: string | null;
  imageKey: string | null;
  imageSource: string | null;
  consistencyScore: number | null;
  processingMs: number | null;
  error: string | null;
}>;

export function updateStoryboardStatement(
  db: Database,
  ownerId: number,
  id: number,
  patch: StoryboardPatch,
  now: number,
  onlyIf?: ReturnType<typeof sql>,
) {
  return db
    .update(storyboards)
    .set({ ...patch, updatedAt: now })
    .where(and(owned(ownerId, id), onlyIf ? sql`(${onlyIf})` : undefined))
    .returning();
}

export async function updateStoryboard(
  db: Database,
  ownerId: number,
  id: number,
  patch: StoryboardPatch,
  now: number,
) {
  const [row] = await updateStoryboardStatement(db, ownerId, id, patch, now);
  return row;
}

/**
 * Marks a storyboard as being generated unless another generation holds it (a stale hold, older
 * than `staleMs`, is taken over: its request died).
 */
export async function beginGeneration(
  db: Database,
  ownerId: number,
  id: number,
  now: number,
  staleMs: number,
) {
  const [row] = await updateStoryboardStatement(
    db,
    ownerId,
    id,
    { status: "generating", error: null },
    now,
    sql`(${storyboards.status} != 'generating' OR ${storyboards.updatedAt} < ${now - staleMs})`,
  );
  return row;
}

export async function softDeleteStoryboard(db: Database, ownerId: number, id: number, now: number) {
  const [row] = await db
    .update(storyboards)
    .set({ deletedAt: now, updatedAt: now })
    .where(owned(ownerId, id))
    .returning();
  return row;
}

/**
 * Renumbers a project's scenes to the order of `ids` (1..n) in one batch. The unique index on
 * (project, scene) is checked row by row, so the scenes first move to negative numbers and then
 * flip back; the guard aborts the batch if the project's storyboards changed meanwhile.
 */
export function reorderStatements(
  db: Database,
  ownerId: number,
  projectId: string,
  ids: number[],
  now: number,
): BatchItem<"sqlite">[] {
  const order = JSON.stringify(ids);
  return [
    rawRun(
      db,
      sql`UPDATE storyboards SET scene_number = -1 - (SELECT CAST(key AS INTEGER) FROM json_each(${order}) WHERE value = storyboards.id),
          updated_at = ${now}
        WHERE owner_id = ${ownerId} AND project_id = ${projectId} AND deleted_at IS NULL
          AND id IN (SELECT value FROM json_each(${order}))
          AND (SELECT COUNT(*) FROM storyboards s WHERE s.project_id = ${projectId} AND s.deleted_at IS NULL) = ${ids.length}`,
    ),
    abortUnlessChanged(db, `reorder:${projectId}`),
    rawRun(
      db,
      sql`UPDATE storyboards SET scene_number = -scene_number
        WHERE owner_id = ${ownerId} AND project_id = ${projectId} AND deleted_at IS NULL AND scene_number < 0`,
    ),
  ];
}

/**
 * Script parsing: the parsed scenes become storyboards, but only in a project that has none (they
 * may be a user's work, and a rerun must not duplicate scenes). Scene numbers come with the rows.
 * One JSON parameter: at most 200 scenes of at most 2500 characters (description and caption, no
 * control characters) is at most ~1.5 MB, under D1's 2 MB value limit.
 */
export function insertParsedStoryboardsStatement(
  db: Database,
  ownerId: number,
  projectId: string,
  rows: {
    scene_number: number;
    description: string;
    caption: string | null;
    character_ids: number[];
    duration: number;
  }[],
  now: number,
) {
  return rawRun(
    db,
    sql`INSERT INTO storyboards (owner_id, project_id, scene_number, description, caption, character_ids, duration,
        status, created_at, updated_at)
      SELECT ${ownerId}, p.id, json_extract(j.value, '$.scene_number'), json_extract(j.value, '$.description'),
        json_extract(j.value, '$.caption'), json_extract(j.value, '$.character_ids'), json_extract(j.value, '$.duration'),
        'pending', ${now}, ${now}
      FROM json_each(${JSON.stringify(rows)}) j
      JOIN studio_projects p ON p.id = ${projectId} AND p.owner_id = ${ownerId} AND p.deleted_at IS NULL
      WHERE NOT EXISTS (SELECT 1 FROM storyboards s WHERE s.owner_id = ${ownerId} AND s.project_id = ${projectId}
                        AND s.deleted_at IS NULL)
      ORDER BY CAST(j.key AS INTEGER)`,
  );
}

export async function countProjectStoryboards(db: Database, ownerId: number, projectId: string) {
  const [row] = await db
    .select({ n: count() })
    .from(storyboards)
    .where(
      and(
        eq(storyboards.ownerId, ownerId),
        eq(storyboards.projectId, projectId),
        isNull(storyboards.deletedAt),
      ),
    );
  return row?.n ?? 0;
}

/** One page of a project's live storyboards in id order, after `afterId` (fan-out chunks). */
export function listStoryboardsAfter(
  db: Database,
  ownerId: number,
  projectId: string,
  afterId: number,
  limit: number,
) {
  return db
    .select()
    .from(storyboards)
    .where(
      and(
        eq(storyboards.ownerId, ownerId),
        eq(storyboards.projectId, projectId),
        isNull(storyboards.deletedAt),
        gt(storyboards.id, afterId),
      ),
    )
    .orderBy(asc(storyboards.id))
    .limit(limit);
}
