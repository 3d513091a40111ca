import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { findAsset } from "../../db/queries/assets";
import { findCharacter, setGeneratedImageStatement } from "../../db/queries/characters";
import { findStoryboard, updateStoryboardStatement } from "../../db/queries/storyboards";
import type { TaskRow } from "../../db/queries/tasks";
import { badRequest } from "../../platform/errors";
import type { CoreContext } from "../context";
import { readImageBytes } from "../media/image-input";
import { generatedCharacterKey } from "../media/storage-keys";
import { putCharacterImage } from "../studio/characters";
import { placeStoryboardImage } from "../studio/storyboard-images";
import { ITEM_TASK_TYPE, parseItemRef } from "./templates";

const ITEM_TYPES: readonly string[] = Object.values(ITEM_TASK_TYPE);

export function isWorkflowItem(task: Pick<TaskRow, "workflowId" | "parentTaskId" | "taskType">): boolean {
  return task.workflowId !== null && task.parentTaskId !== null && ITEM_TYPES.includes(task.taskType);
}

/**
 * An external worker completes a `character_image` / `storyboard_image` task with the image it
 * made: `task_output.asset_id` names an image asset whose content it uploaded. The image is checked
 * (a real PNG/JPEG/WebP), copied to the item, scored against the scene's characters, and the item
 * updated in the same batch as the task — or the completion is refused and nothing changes.
 */
export async function prepareItemCompletion(
  ctx: CoreContext,
  task: TaskRow,
  output: Record<string, unknown> | null | undefined,
): Promise<BatchItem<"sqlite">[]> {
  const assetId = output?.asset_id;
  if (typeof assetId !== "number" || !Number.isInteger(assetId)) {
    throw badRequest(
      `Complete ${task.taskType} task ${task.id} with task_output.asset_id: an image asset whose content you uploaded with PUT /api/assets/{id}/content`,
    );
  }
  const asset = await findAsset(ctx.db, task.ownerId, assetId);
  if (!asset?.r2Key) throw badRequest(`Asset ${assetId} has no uploaded content`);
  const object = await ctx.env.BUCKET.get(asset.r2Key);
  if (!object) throw badRequest(`Asset ${assetId} has no uploaded content`);
  const image = await readImageBytes(new Uint8Array(await object.arrayBuffer()));
  const ref = parseItemRef(task.itemRef);
  if (ref?.kind === "storyboard") {
    const sb = await findStoryboard(ctx.db, task.ownerId, ref.id);
    if (!sb) return [];
    const placed = await placeStoryboardImage(ctx, task.ownerId, sb, image, `task-${task.id}`);
    return [
      updateStoryboardStatement(
        ctx.db,
        task.ownerId,
        sb.id,
        {
          status: "completed",
          style: null,
          imageKey: placed.key,
          imageSource: "external",
          consistencyScore: placed.score,
          error: null,
        },
        ctx.now,
        sql`(image_source IS NOT 'upload' OR image_key IS NULL)`,
      ),
    ];
  }
  if (ref?.kind === "character") {
    const ch = await findCharacter(ctx.db, task.ownerId, ref.id);
    if (!ch) return [];
    const key = generatedCharacterKey(task.ownerId, ch.projectId, ch.id, `task-${task.id}`);
    return [setGeneratedImageStatement(ctx.db, ch.id, await putCharacterImage(ctx, key, image), ctx.now)];
  }
  return [];
}
