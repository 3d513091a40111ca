import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { type StoryboardPatch, updateStoryboardStatement } from "./storyboards";

/**
 * A storyboard image made by a workflow item (built-in or a worker's), recorded in the batch that
 * completes the item: unless the user uploaded one meanwhile, which a generated image never replaces.
 */
export function itemStoryboardImageStatement(
  db: Database,
  ownerId: number,
  storyboardId: number,
  patch: StoryboardPatch,
  now: number,
) {
  return updateStoryboardStatement(
    db,
    ownerId,
    storyboardId,
    patch,
    now,
    sql`(image_source IS NOT 'upload' OR image_key IS NULL)`,
  );
}
