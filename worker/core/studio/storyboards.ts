import { runBatch } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import { isGuardAbort } from "../../db/guard";
import { findProjectCharacters } from "../../db/queries/characters";
import {
  beginGeneration,
  findStoryboard,
  insertStoryboardsStatement,
  listProjectStoryboards,
  reorderStatements,
  type StoryboardPatch,
  type StoryboardRow,
  softDeleteStoryboard,
  updateStoryboard,
} from "../../db/queries/storyboards";
import { findStudioProject } from "../../db/queries/studio-projects";
import { AppError, conflict, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { readImageFile } from "../media/image-input";
import { type CardStyle, drawStoryboardImage, placeStoryboardImage } from "./storyboard-images";

/**
 * Storyboards of a studio project: one per scene, scene numbers unique within
 * the project. Images come from the built-in generator, from external workers through a workflow,
 * or from a user (a human override); each is scored against the scene's characters.
 */
const GENERATION_STALE_MS = 5 * 60_000;

async function requireProject(ctx: AppContext, ownerId: number, projectId: string) {
  const project = await findStudioProject(ctx.db, ownerId, projectId);
  if (!project) throw notFound("Project");
  return project;
}

/** Character ids must name live characters of the same project; anything else is a field error. */
async function checkCharacters(ctx: AppContext, ownerId: number, projectId: string, ids: number[]) {
  const unique = [...new Set(ids)];
  const found = new Set((await findProjectCharacters(ctx.db, ownerId, projectId, unique)).map((c) => c.id));
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new AppError("VALIDATION_ERROR", `Character ${missing.join(", ")} not found in this project`, {
      fieldErrors: [
        { field: "body.character_ids", message: `not characters of this project: ${missing.join(", ")}` },
      ],
    });
  }
  return unique;
}

function sceneTaken(err: unknown): boolean {
  return isUniqueViolation(err, "storyboards.project_id, storyboards.scene_number");
}

export async function createStoryboard(
  ctx: AppContext,
  ownerId: number,
  input: {
    project_id: string;
    scene_number?: number | undefined;
    description: string;
    caption?: string | null | undefined;
    character_ids?: number[] | undefined;
    duration?: number | undefined;
  },
): Promise<StoryboardRow> {
  await requireProject(ctx, ownerId, input.project_id);
  const characterIds = await checkCharacters(ctx, ownerId, input.project_id, input.character_ids ?? []);
  let inserted: { id: number }[];
  try {
    inserted = await insertStoryboardsStatement(
      ctx.db,
      ownerId,
      input.project_id,
      [
        {
          sceneNumber: input.scene_number ?? null,
          description: input.description,
          caption: input.caption ?? null,
          characterIds,
          duration: input.duration ?? 5,
        },
      ],
      ctx.now,
    );
  } catch (err) {
    if (sceneTaken(err)) throw conflict(`Scene ${input.scene_number} already exists in this project`);
    throw err;
  }
  const id = inserted[0]?.id;
  const row = id === undefined ? undefined : await findStoryboard(ctx.db, ownerId, id);
  if (!row) throw notFound("Project");
  return row;
}

export async function listStoryboards(ctx: AppContext, ownerId: number, projectId: string) {
  await requireProject(ctx, ownerId, projectId);
  return listProjectStoryboards(ctx.db, ownerId, projectId);
}

export async function getStoryboard(ctx: AppContext, ownerId: number, id: number): Promise<StoryboardRow> {
  const row = await findStoryboard(ctx.db, ownerId, id);
  if (!row) throw notFound("Storyboard");
  return row;
}

export async function editStoryboard(
  ctx: AppContext,
  ownerId: number,
  id: number,
  input: {
    scene_number?: number | undefined;
    description?: string | undefined;
    caption?: string | null | undefined;
    character_ids?: number[] | undefined;
    duration?: number | undefined;
  },
) {
  const before = await getStoryboard(ctx, ownerId, id);
  const patch: StoryboardPatch = {};
  if (input.scene_number !== undefined) patch.sceneNumber = input.scene_number;
  if (input.description !== undefined) patch.description = input.description;
  if (input.caption !== undefined) patch.caption = input.caption;
  if (input.duration !== undefined) patch.duration = input.duration;
  if (input.character_ids !== undefined) {
    patch.characterIds = await checkCharacters(ctx, ownerId, before.projectId, input.character_ids);
  }
  try {
    const row = await updateStoryboard(ctx.db, ownerId, id, patch, ctx.now);
    if (!row) throw notFound("Storyboard");
    return row;
  } catch (err) {
    if (sceneTaken(err)) throw conflict(`Scene ${input.scene_number} already exists in this project`);
    throw err;
  }
}

export async function deleteStoryboard(ctx: AppContext, ownerId: number, id: number) {
  const row = await softDeleteStoryboard(ctx.db, ownerId, id, ctx.now);
  if (!row) throw notFound("Storyboard");
  if (row.imageKey) await ctx.env.BUCKET.delete(row.imageKey);
}

/** Puts the project's storyboards in the given order, numbering scenes 1..n. */
export async function reorderStoryboards(
  ctx: AppContext,
  ownerId: number,
  projectId: string,
  order: number[],
) {
  const current = await listStoryboards(ctx, ownerId, projectId);
  const ids = new Set(current.map((s) => s.id));
  if (new Set(order).size !== order.length) {
    throw new AppError("VALIDATION_ERROR", "order lists a storyboard more than once", {
      fieldErrors: [{ field: "body.order", message: "duplicate ids" }],
    });
  }
  const unknown = order.filter((id) => !ids.has(id));
  if (unknown.length > 0 || order.length !== ids.size) {
    throw new AppError(
      "VALIDATION_ERROR",
      unknown.length > 0
        ? `Storyboard ${unknown.join(", ")} not found in this project`
        : `order must list all ${ids.size} storyboards of the project exactly once`,
      {
        fieldErrors: [
          { field: "body.order", message: "must be a permutation of the project's storyboard ids" },
        ],
      },
    );
  }
  if (order.length > 0) {
    try {
      await runBatch(ctx.db, reorderStatements(ctx.db, ownerId, projectId, order, ctx.now));
    } catch (err) {
      if (isGuardAbort(err))
        throw conflict("The project's storyboards changed while reordering; nothing was changed, retry");
      throw err;
    }
  }
  return listProjectStoryboards(ctx.db, ownerId, projectId);
}

/**
 * `POST /storyboards/{id}/generate` with the built-in generator: draws the card synchronously,
 * stores it and scores it. A second generation of the same storyboard while one runs is a 409.
 */
export async function generateStoryboard(ctx: AppContext, ownerId: number, id: number, style: CardStyle) {
  const started = ctx.clock();
  const sb = await getStoryboard(ctx, ownerId, id);
  const project = await requireProject(ctx, ownerId, sb.projectId);
  const held = await beginGeneration(ctx.db, ownerId, id, ctx.now, GENERATION_STALE_MS);
  if (!held) throw conflict("This storyboard is already being generated");
  let placed: Awaited<ReturnType<typeof drawStoryboardImage>>;
  try {
    placed = await drawStoryboardImage(
      ctx,
      ownerId,
      held,
      project.aspectRatio,
      style,
      `generated-${crypto.randomUUID()}`,
    );
  } catch (err) {
    await updateStoryboard(
      ctx.db,
      ownerId,
      id,
      {
        status: sb.imageKey ? "completed" : "failed",
        error: String((err as Error).message ?? err).slice(0, 500),
      },
      ctx.clock(),
    );
    throw err;
  }
  const finished = ctx.clock();
  const row = await updateStoryboard(
    ctx.db,
    ownerId,
    id,
    {
      status: "completed",
      style,
      imageKey: placed.key,
      imageSource: "generated",
      consistencyScore: placed.score,
      processingMs: finished - started,
      error: null,
    },
    finished,
  );
  if (!row) {
    await ctx.env.BUCKET.delete(placed.key);
    throw notFound("Storyboard");
  }
  if (sb.imageKey && sb.imageKey !== placed.key) await ctx.env.BUCKET.delete(sb.imageKey);
  return { row, processingMs: ctx.clock() - started };
}

/** A user's own image for a storyboard (human override), scored like a generated one. */
export async function overrideStoryboardImage(ctx: AppContext, ownerId: number, id: number, file: File) {
  const started = ctx.clock();
  const sb = await getStoryboard(ctx, ownerId, id);
  const image = await readImageFile(file);
  const placed = await placeStoryboardImage(ctx, ownerId, sb, image, `upload-${crypto.randomUUID()}`);
  const row = await updateStoryboard(
    ctx.db,
    ownerId,
    id,
    {
      status: "completed",
      style: null,
      imageKey: placed.key,
      imageSource: "upload",
      consistencyScore: placed.score,
      processingMs: ctx.clock() - started,
      error: null,
    },
    ctx.clock(),
  );
  if (!row) {
    await ctx.env.BUCKET.delete(placed.key);
    throw notFound("Storyboard");
  }
  if (sb.imageKey && sb.imageKey !== placed.key) await ctx.env.BUCKET.delete(sb.imageKey);
  return row;
}
