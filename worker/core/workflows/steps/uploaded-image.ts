import { findAsset } from "../../../db/queries/assets";
import type { TaskRow } from "../../../db/queries/tasks";
import { badRequest } from "../../../platform/errors";
import type { AppContext } from "../../context";
import { type ImageInput, readImageBytes } from "../../media/image-input";

/**
 * The image an external worker made for a task: `task_output.asset_id` names an image asset whose
 * content it uploaded. It must be a real PNG/JPEG/WebP; then it is checked, copied to the item and
 * scored, in the batch that completes the task — or the completion is refused and nothing changes.
 */
export async function uploadedImage(
  ctx: AppContext,
  task: Pick<TaskRow, "id" | "ownerId" | "taskType">,
  output: Record<string, unknown> | null | undefined,
): Promise<ImageInput> {
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
  return readImageBytes(new Uint8Array(await object.arrayBuffer()));
}
