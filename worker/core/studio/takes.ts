import { runBatch } from "../../db/client";
import { isGuardAbort } from "../../db/guard";
import { findStoryboard } from "../../db/queries/storyboards";
import { findTake, listTakes, selectStoryboardTakeStatements } from "../../db/queries/takes";
import { notFound } from "../../platform/errors";
import type { AppContext } from "../context";

/**
 * A storyboard's takes (`takes: N` of a workflow): every candidate drawn, the selected one being the
 * storyboard's image. Selecting one is a human choice, so it becomes an override workflows leave alone.
 */
export async function storyboardTakes(ctx: AppContext, ownerId: number, storyboardId: number) {
  const sb = await findStoryboard(ctx.db, ownerId, storyboardId);
  if (!sb) throw notFound("Storyboard");
  return listTakes(ctx.db, ownerId, "storyboard", sb.id);
}

export async function selectStoryboardTake(
  ctx: AppContext,
  ownerId: number,
  storyboardId: number,
  takeId: number,
) {
  const sb = await findStoryboard(ctx.db, ownerId, storyboardId);
  if (!sb) throw notFound("Storyboard");
  const take = await findTake(ctx.db, ownerId, takeId);
  if (take?.subjectKind !== "storyboard" || take.subjectId !== sb.id) throw notFound("Take");
  try {
    await runBatch(ctx.db, selectStoryboardTakeStatements(ctx.db, take, ctx.now));
  } catch (err) {
    // The storyboard was deleted meanwhile.
    if (isGuardAbort(err)) throw notFound("Storyboard");
    throw err;
  }
  return listTakes(ctx.db, ownerId, "storyboard", sb.id);
}
