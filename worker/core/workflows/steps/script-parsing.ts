import { findCharactersByName, insertMissingCharacters } from "../../../db/queries/characters";
import { countProjectStoryboards, insertParsedStoryboardsStatement } from "../../../db/queries/storyboards";
import { findStudioProject } from "../../../db/queries/studio-projects";
import { AppError, badRequest } from "../../../platform/errors";
import { type ParsedScript, parseScript, ScriptLimitError } from "../../studio/script-parser";
import { PermanentError, type SingleStep, type StepResult, type StepRun } from "./types";

/** What a workflow parses: the project's script, or without one its description as one scene. */
function scriptTextOf(project: { script: string | null; description: string | null }): string {
  return project.script?.trim() || project.description?.trim() || "";
}

/** Parses a workflow's script; a script over the limits is an error retrying cannot fix. */
function parseForStep(text: string): ParsedScript {
  try {
    return parseScript(text);
  } catch (err) {
    if (err instanceof ScriptLimitError) throw new PermanentError(err.message);
    throw err;
  }
}

/**
 * The project's script (or, without one, its description as a one-scene script) becomes
 * storyboards, and speakers without a character become characters (without an image;
 * `character_generation` draws them). A project that already has storyboards keeps them: they may
 * be a user's work, and a rerun must not duplicate scenes.
 */
async function parseScriptStep(ex: StepRun): Promise<StepResult> {
  const { ctx, task, workflow } = ex;
  const owner = task.ownerId;
  const project = await findStudioProject(ctx.db, owner, workflow.projectId);
  if (!project) throw new PermanentError("The project was deleted");
  const text = scriptTextOf(project);
  if (!text) throw new PermanentError("The project has no script to parse");
  const parsed = parseForStep(text);
  if (parsed.scenes.length === 0)
    throw new PermanentError("The script has no scenes: it contains no text to turn into storyboards");

  // Missing characters first (idempotent: a name that exists, in any case, is not added again).
  if (parsed.characters.length > 0) {
    await insertMissingCharacters(ctx.db, owner, project.id, parsed.characters, ctx.now);
  }
  const known = await findCharactersByName(ctx.db, owner, project.id, parsed.characters);
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
  const insert = insertParsedStoryboardsStatement(ctx.db, owner, project.id, rows, ctx.now);
  const kept = await countProjectStoryboards(ctx.db, owner, project.id);
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

/**
 * A workflow that parses a script is refused up front if the script cannot be parsed: none at all
 * (400), or more speakers than a script may have (422 naming the limit; the step itself fails with
 * the same reason if the script grows past it after the workflow was accepted).
 */
function assertParsable(text: string): void {
  if (!text) {
    throw badRequest(
      "The project has no script to parse: add one with PUT /api/v1/projects/{project_id} (a description alone also works as a one-scene script)",
    );
  }
  try {
    parseScript(text);
  } catch (err) {
    if (!(err instanceof ScriptLimitError)) throw err;
    throw new AppError("VALIDATION_ERROR", err.message, {
      fieldErrors: [{ field: "project.script", message: err.message }],
    });
  }
}

/** `script_parsing` (built in, whatever the generator). */
export const scriptParsing = {
  name: "script_parsing",
  kind: "single",
  noun: "script",
  plural: "scripts",
  // The offline parser, at no cost: the LLM breakdown is priced here once this step calls it
  // (docs/generation.md); until then the step names the built-in as its provider.
  quote: () => ({
    step: "script_parsing",
    kind: "llm",
    provider: "builtin",
    model: null,
    unit: "script",
    items: 1,
    takes: 1,
    unit_price: 0,
    amount: 0,
  }),
  check: async (_ctx, _ownerId, project) => assertParsable(scriptTextOf(project)),
  run: parseScriptStep,
} as const satisfies SingleStep<"script_parsing">;
