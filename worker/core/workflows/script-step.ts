import { sql } from "drizzle-orm";
import { findStudioProject } from "../../db/queries/studio-projects";
import { rawAll, rawRun } from "../../db/raw";
import { parseScript } from "../studio/script-parser";
import { type ExecutionContext, type ExecutionResult, PermanentError } from "./executor-types";

/**
 * `script_parsing` (built in): the project's script (or, without one, its description as a
 * one-scene script) becomes storyboards, and speakers without a character become characters
 * (without an image; `character_generation` draws them). A project that already has storyboards
 * keeps them: they may be a user's work, and a rerun must not duplicate scenes.
 */
export async function parseScriptStep(ex: ExecutionContext): Promise<ExecutionResult> {
  const { ctx, task, workflow } = ex;
  const owner = task.ownerId;
  const project = await findStudioProject(ctx.db, owner, workflow.projectId);
  if (!project) throw new PermanentError("The project was deleted");
  const text = project.script?.trim() || project.description?.trim() || "";
  if (!text) throw new PermanentError("The project has no script to parse");
  const parsed = parseScript(text);
  if (parsed.scenes.length === 0)
    throw new PermanentError("The script has no scenes: it contains no text to turn into storyboards");

  // Missing characters first (idempotent: a name that exists, in any case, is not added again).
  if (parsed.characters.length > 0) {
    await rawRun(
      ctx.db,
      sql`INSERT INTO characters (owner_id, project_id, name, source, created_at, updated_at)
        SELECT ${owner}, ${project.id}, n.value, 'generated', ${ctx.now}, ${ctx.now}
        FROM json_each(${JSON.stringify(parsed.characters)}) n
        WHERE NOT EXISTS (SELECT 1 FROM characters c WHERE c.project_id = ${project.id} AND c.deleted_at IS NULL
                          AND lower(c.name) = lower(n.value))
        ORDER BY CAST(n.key AS INTEGER)`,
    );
  }
  const known = await rawAll<{ id: number; name: string }>(
    ctx.db,
    sql`SELECT id, name FROM characters WHERE project_id = ${project.id} AND owner_id = ${owner} AND deleted_at IS NULL ORDER BY id`,
  );
  const idOf = new Map<string, number>();
  for (const c of known) if (!idOf.has(c.name.toLowerCase())) idOf.set(c.name.toLowerCase(), c.id);

  const rows = parsed.scenes.map((s) => ({
    scene_number: s.number,
    description: s.description,
    caption: s.caption,
    character_ids: s.characters
      .map((n) => idOf.get(n.toLowerCase()))
      .filter((id): id is number => id !== undefined),
    duration: s.duration,
  }));
  // Storyboards only into a project without any, in the batch that completes the task.
  const insert = rawRun(
    ctx.db,
    sql`INSERT INTO storyboards (owner_id, project_id, scene_number, description, caption, character_ids, duration,
        status, created_at, updated_at)
      SELECT ${owner}, ${project.id}, json_extract(j.value, '$.scene_number'), json_extract(j.value, '$.description'),
        json_extract(j.value, '$.caption'), json_extract(j.value, '$.character_ids'), json_extract(j.value, '$.duration'),
        'pending', ${ctx.now}, ${ctx.now}
      FROM json_each(${JSON.stringify(rows)}) j
      WHERE NOT EXISTS (SELECT 1 FROM storyboards s WHERE s.project_id = ${project.id} AND s.deleted_at IS NULL)
      ORDER BY CAST(j.key AS INTEGER)`,
  );
  const existing = await rawAll<{ n: number }>(
    ctx.db,
    sql`SELECT COUNT(*) AS n FROM storyboards WHERE project_id = ${project.id} AND deleted_at IS NULL`,
  );
  const kept = existing[0]?.n ?? 0;
  return {
    output: {
      scenes: parsed.scenes.length,
      characters_found: parsed.characters,
      storyboards_created: kept > 0 ? 0 : rows.length,
      storyboards_kept: kept,
    },
    statements: [insert],
  };
}
