import { and, asc, count, desc, eq, isNull, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll } from "../raw";
import { characters, storyboards, studioProjects } from "../schema";
import type { AspectRatio, StudioProjectStatus } from "../schema/studio";

const owned = (ownerId: number, id: string) =>
  and(eq(studioProjects.id, id), eq(studioProjects.ownerId, ownerId), isNull(studioProjects.deletedAt));

export async function insertStudioProject(
  db: Database,
  ownerId: number,
  input: {
    id: string;
    name: string;
    description: string | null;
    aspectRatio: AspectRatio;
    script: string | null;
  },
  now: number,
) {
  const [row] = await db
    .insert(studioProjects)
    .values({ ...input, ownerId, status: "draft", createdAt: now, updatedAt: now })
    .returning();
  if (!row) throw new Error("project insert returned no row");
  return row;
}

/**
 * One page and the total in one statement: the window count is taken over the filtered rows before
 * LIMIT. Only a page past the end (no rows to carry the count) needs a second query.
 */
export async function listStudioProjects(
  db: Database,
  ownerId: number,
  opts: { skip: number; limit: number; status?: StudioProjectStatus | undefined },
) {
  const where = and(
    eq(studioProjects.ownerId, ownerId),
    isNull(studioProjects.deletedAt),
    opts.status ? eq(studioProjects.status, opts.status) : undefined,
  );
  const rows = await db
    .select({ project: studioProjects, total: sql<number>`COUNT(*) OVER ()` })
    .from(studioProjects)
    .where(where)
    .orderBy(desc(studioProjects.createdAt), desc(studioProjects.id))
    .limit(opts.limit)
    .offset(opts.skip);
  if (rows.length > 0) return { total: rows[0]?.total ?? 0, items: rows.map((r) => r.project) };
  if (opts.skip === 0) return { total: 0, items: [] };
  const [countRow] = await db.select({ total: count() }).from(studioProjects).where(where);
  return { total: countRow?.total ?? 0, items: [] };
}

export async function findStudioProject(db: Database, ownerId: number, id: string) {
  const [row] = await db.select().from(studioProjects).where(owned(ownerId, id)).limit(1);
  return row;
}

/** The project with its live characters and storyboards, in one round trip. */
export async function findStudioProjectDetail(db: Database, ownerId: number, id: string) {
  const [projectRows, characterRows, storyboardRows] = await db.batch([
    db.select().from(studioProjects).where(owned(ownerId, id)).limit(1),
    db
      .select()
      .from(characters)
      .where(and(eq(characters.projectId, id), eq(characters.ownerId, ownerId), isNull(characters.deletedAt)))
      .orderBy(asc(characters.id)),
    db
      .select()
      .from(storyboards)
      .where(
        and(eq(storyboards.projectId, id), eq(storyboards.ownerId, ownerId), isNull(storyboards.deletedAt)),
      )
      .orderBy(asc(storyboards.sceneNumber)),
  ]);
  const project = projectRows[0];
  if (!project) return undefined;
  return { project, characters: characterRows, storyboards: storyboardRows };
}

export async function updateStudioProject(
  db: Database,
  ownerId: number,
  id: string,
  patch: Partial<{
    name: string;
    description: string | null;
    script: string | null;
    aspectRatio: AspectRatio;
  }>,
  now: number,
) {
  const [row] = await db
    .update(studioProjects)
    .set({ ...patch, updatedAt: now })
    .where(owned(ownerId, id))
    .returning();
  return row;
}

/**
 * Soft-deletes the project and, in the same batch, writes the outbox row that removes its R2
 * objects. The outbox insert selects from the row this batch just deleted, so a project that was
 * not ours or already gone writes nothing.
 */
export async function softDeleteStudioProject(
  db: Database,
  ownerId: number,
  id: string,
  r2Prefix: string,
  now: number,
) {
  const [deleted, queued] = await db.batch([
    db
      .update(studioProjects)
      .set({ deletedAt: now, updatedAt: now })
      .where(owned(ownerId, id))
      .returning({ id: studioProjects.id }),
    rawAll<{ id: number }>(
      db,
      sql`INSERT INTO outbox (owner_id, kind, dedupe_key, payload, status, attempts, created_at, updated_at)
      SELECT owner_id, 'r2_cleanup', ${`r2_cleanup:project:${id}`}, ${JSON.stringify({ prefix: r2Prefix })}, 'pending', 0, ${now}, ${now}
      FROM studio_projects WHERE id = ${id} AND owner_id = ${ownerId} AND deleted_at = ${now}
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING id`,
    ),
  ]);
  return { deleted: deleted.length > 0, outboxIds: queued.map((r) => r.id) };
}
