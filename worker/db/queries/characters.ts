import { and, asc, count, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll, rawRun } from "../raw";
import { characters } from "../schema";
import type { AppearanceSignature } from "../schema/studio";

export type CharacterRow = typeof characters.$inferSelect;

/**
 * A character is reachable only while its project is: deleting a project makes every character of
 * it a 404 for reads and writes alike, whatever request was in flight.
 */
const IN_LIVE_PROJECT = sql.raw(
  "EXISTS (SELECT 1 FROM studio_projects p WHERE p.id = characters.project_id AND p.deleted_at IS NULL)",
);

const owned = (ownerId: number, id: number) =>
  and(eq(characters.id, id), eq(characters.ownerId, ownerId), isNull(characters.deletedAt), IN_LIVE_PROJECT);

export interface CharacterImage {
  imageKey: string;
  imageContentType: string;
  imageWidth: number;
  imageHeight: number;
  imageBytes: number;
  signature: AppearanceSignature;
  consistencyModelId: string;
  signatureComputedAt: number;
  signatureProcessingMs: number;
}

/**
 * Inserts a character into a project only if the project is the owner's and not deleted, in one
 * statement: a project deleted while an upload was in flight receives nothing.
 */
export async function insertCharacter(
  db: Database,
  ownerId: number,
  input: {
    projectId: string;
    name: string;
    description: string | null;
    source: string;
    image: CharacterImage | null;
  },
  now: number,
): Promise<CharacterRow | undefined> {
  const img = input.image;
  const rows = await rawAll<{ id: number }>(
    db,
    sql`INSERT INTO characters (owner_id, project_id, name, description, source, image_key, image_content_type,
        image_width, image_height, image_bytes, consistency_model_id, signature, signature_computed_at,
        signature_processing_ms, created_at, updated_at)
      SELECT ${ownerId}, id, ${input.name}, ${input.description}, ${input.source}, ${img?.imageKey ?? null},
        ${img?.imageContentType ?? null}, ${img?.imageWidth ?? null}, ${img?.imageHeight ?? null}, ${img?.imageBytes ?? null},
        ${img?.consistencyModelId ?? null}, ${img ? JSON.stringify(img.signature) : null}, ${img?.signatureComputedAt ?? null},
        ${img?.signatureProcessingMs ?? null}, ${now}, ${now}
      FROM studio_projects WHERE id = ${input.projectId} AND owner_id = ${ownerId} AND deleted_at IS NULL
      RETURNING id`,
  );
  const id = rows[0]?.id;
  return id === undefined ? undefined : findCharacter(db, ownerId, id);
}

export async function findCharacter(db: Database, ownerId: number, id: number) {
  const [row] = await db.select().from(characters).where(owned(ownerId, id)).limit(1);
  return row;
}

/** Live characters of the owner's live projects, optionally of one project, oldest first. */
export async function listCharacters(
  db: Database,
  ownerId: number,
  opts: { projectId?: string | undefined; skip: number; limit: number },
) {
  const where = and(
    eq(characters.ownerId, ownerId),
    isNull(characters.deletedAt),
    opts.projectId ? eq(characters.projectId, opts.projectId) : undefined,
    IN_LIVE_PROJECT,
  );
  const [rows, totals] = await db.batch([
    db.select().from(characters).where(where).orderBy(asc(characters.id)).limit(opts.limit).offset(opts.skip),
    db.select({ total: count() }).from(characters).where(where),
  ]);
  return { total: totals[0]?.total ?? 0, items: rows };
}

/** The owner's live characters among `ids` that belong to `projectId`. */
export async function findProjectCharacters(db: Database, ownerId: number, projectId: string, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select()
    .from(characters)
    .where(
      and(
        eq(characters.ownerId, ownerId),
        eq(characters.projectId, projectId),
        isNull(characters.deletedAt),
        IN_LIVE_PROJECT,
        sql`${characters.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
      ),
    );
}

export async function updateCharacter(
  db: Database,
  ownerId: number,
  id: number,
  patch: Partial<{ name: string; description: string | null; source: string } & CharacterImage>,
  now: number,
) {
  const [row] = await db
    .update(characters)
    .set({ ...patch, updatedAt: now })
    .where(owned(ownerId, id))
    .returning();
  return row;
}

/** Soft-deletes a character and takes it out of its project's storyboards, in one batch. */
export async function softDeleteCharacter(db: Database, ownerId: number, id: number, now: number) {
  const [deleted] = await db.batch([
    db.update(characters).set({ deletedAt: now, updatedAt: now }).where(owned(ownerId, id)).returning(),
    rawRun(
      db,
      sql`UPDATE storyboards SET
          character_ids = (SELECT COALESCE(json_group_array(value), '[]') FROM json_each(storyboards.character_ids) WHERE value != ${id}),
          updated_at = ${now}
        WHERE owner_id = ${ownerId} AND deleted_at IS NULL
          AND EXISTS (SELECT 1 FROM json_each(storyboards.character_ids) WHERE value = ${id})
          AND EXISTS (SELECT 1 FROM characters WHERE id = ${id} AND owner_id = ${ownerId} AND deleted_at = ${now})`,
    ),
  ]);
  return deleted[0];
}

/**
 * Gives a character a drawn or delivered image, for a batch. A user's own upload is never replaced
 * by a generated image: the statement then changes nothing.
 */
export function setGeneratedImageStatement(db: Database, id: number, image: CharacterImage, now: number) {
  return db
    .update(characters)
    .set({ ...image, source: "generated", updatedAt: now })
    .where(
      and(
        eq(characters.id, id),
        isNull(characters.deletedAt),
        IN_LIVE_PROJECT,
        sql`(${characters.source} != 'upload' OR ${characters.imageKey} IS NULL)`,
      ),
    );
}

/**
 * Script parsing: the speakers the project has no live character for (by name, ignoring ASCII
 * case) become characters without an image, in script order. Each name is one lookup in
 * `characters_project_name_idx`; a project deleted meanwhile receives nothing.
 */
export function insertMissingCharacters(
  db: Database,
  ownerId: number,
  projectId: string,
  names: string[],
  now: number,
) {
  return rawRun(
    db,
    sql`INSERT INTO characters (owner_id, project_id, name, source, created_at, updated_at)
      SELECT ${ownerId}, p.id, n.value, 'generated', ${now}, ${now}
      FROM json_each(${JSON.stringify(names)}) n
      JOIN studio_projects p ON p.id = ${projectId} AND p.owner_id = ${ownerId} AND p.deleted_at IS NULL
      WHERE NOT EXISTS (SELECT 1 FROM characters c WHERE c.owner_id = ${ownerId} AND c.project_id = ${projectId}
                        AND lower(c.name) = lower(n.value) AND c.deleted_at IS NULL)
      ORDER BY CAST(n.key AS INTEGER)`,
  );
}

/** The project's live characters named `names` (ignoring ASCII case), oldest first. */
export function findCharactersByName(db: Database, ownerId: number, projectId: string, names: string[]) {
  return rawAll<{ id: number; name: string }>(
    db,
    sql`SELECT c.id, c.name FROM json_each(${JSON.stringify(names)}) n
      JOIN characters c ON c.owner_id = ${ownerId} AND c.project_id = ${projectId}
        AND lower(c.name) = lower(n.value) AND c.deleted_at IS NULL
      ORDER BY c.id`,
  );
}

/** One page of a project's live characters in id order, after `afterId` (fan-out chunks). */
export function listCharactersAfter(
  db: Database,
  ownerId: number,
  projectId: string,
  afterId: number,
  limit: number,
) {
  return db
    .select()
    .from(characters)
    .where(
      and(
        eq(characters.ownerId, ownerId),
        eq(characters.projectId, projectId),
        isNull(characters.deletedAt),
        gt(characters.id, afterId),
      ),
    )
    .orderBy(asc(characters.id))
    .limit(limit);
}
