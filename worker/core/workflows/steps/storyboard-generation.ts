import { canvasSize } from "../../../../contracts/render-spec";
import { findProjectCharacters } from "../../../db/queries/characters";
import { findStoryboard, listStoryboardsAfter } from "../../../db/queries/storyboards";
import { findStudioProject } from "../../../db/queries/studio-projects";
import { itemStoryboardImageStatement } from "../../../db/queries/workflow-items";
import type { AppContext } from "../../context";
import { fileUrl } from "../../media/urls";
import { drawStoryboardImage, placeStoryboardImage } from "../../studio/storyboard-images";
import { readOptions } from "../options";
import { chosenImage, generateStoryboard, imageQuoteLine } from "./generated-images";
import {
  type FanoutStep,
  type ItemPage,
  itemRef,
  PermanentError,
  type PlannedItem,
  parseItemRef,
  type StepResult,
  type StepRun,
} from "./types";
import { uploadedImage } from "./uploaded-image";

/**
 * The project's storyboards without an image (or every one but uploads, on request), a chunk at a
 * time, each with what an external worker needs to make its image: the scene, its size and style,
 * and its characters' images as references.
 */
async function planStoryboards(
  ctx: AppContext,
  wf: { ownerId: number; projectId: string; options: unknown },
  after: number,
  limit: number,
): Promise<ItemPage> {
  const project = await findStudioProject(ctx.db, wf.ownerId, wf.projectId);
  if (!project) return { items: [], last: null, exhausted: true };
  const options = readOptions(wf.options);
  const style = options.style ?? "cinematic";
  const rows = await listStoryboardsAfter(ctx.db, wf.ownerId, wf.projectId, after, limit);
  const boards = rows.filter(
    (sb) => !sb.imageKey || (options.regenerate_images === true && sb.imageSource !== "upload"),
  );
  const charRows = await findProjectCharacters(ctx.db, wf.ownerId, wf.projectId, [
    ...new Set(boards.flatMap((sb) => sb.characterIds)),
  ]);
  const byId = new Map(charRows.map((c) => [c.id, c]));
  const { width, height } = canvasSize("720p", project.aspectRatio);
  const items: PlannedItem[] = [];
  for (const sb of boards) {
    const refs = await Promise.all(
      sb.characterIds.map(async (id) => {
        const c = byId.get(id);
        return c ? { id, name: c.name, image_url: await fileUrl(ctx, c.imageKey) } : null;
      }),
    );
    items.push({
      ref: itemRef("storyboard", sb.id),
      output: {
        storyboard_id: sb.id,
        scene_number: sb.sceneNumber,
        description: sb.description,
        caption: sb.caption,
        characters: refs.filter(Boolean),
        style,
        width,
        height,
      },
    });
  }
  return { items, last: rows.at(-1)?.id ?? null, exhausted: rows.length < limit };
}

/** Built-in generator: the renderer draws the scene's card with its characters. */
async function drawStoryboard(ex: StepRun): Promise<StepResult> {
  const { ctx, task, workflow } = ex;
  const id = parseItemRef(task.itemRef, "storyboard");
  const sb = id === null ? undefined : await findStoryboard(ctx.db, task.ownerId, id);
  if (!sb) return { output: { skipped: "the storyboard was deleted" }, statements: [] };
  const options = readOptions(workflow.options);
  if (sb.imageKey && (sb.imageSource === "upload" || !options.regenerate_images)) {
    return {
      output: { skipped: "the storyboard already has an image", storyboard_id: sb.id },
      statements: [],
    };
  }
  const project = await findStudioProject(ctx.db, task.ownerId, sb.projectId);
  if (!project) throw new PermanentError("The project was deleted");
  const provider = chosenImage(workflow.providers);
  if (provider) return generateStoryboard(ex, sb, project.aspectRatio, provider);
  const style = options.style ?? "cinematic";
  const started = Date.now();
  const placed = await drawStoryboardImage(
    ctx,
    task.ownerId,
    sb,
    project.aspectRatio,
    style,
    `task-${task.id}`,
  );
  const update = itemStoryboardImageStatement(
    ctx.db,
    task.ownerId,
    sb.id,
    {
      status: "completed",
      style,
      imageKey: placed.key,
      imageSource: "generated",
      consistencyScore: placed.score,
      processingMs: Date.now() - started,
      error: null,
    },
    Date.now(),
  );
  return {
    output: { storyboard_id: sb.id, image_key: placed.key, consistency_score: placed.score },
    statements: [update],
    obsoleteKeys: sb.imageKey && sb.imageKey !== placed.key ? [sb.imageKey] : [],
    orphanKeys: [placed.key],
  };
}

/** `storyboard_generation`: one `storyboard_image` item per storyboard that needs an image. */
export const storyboardGeneration = {
  name: "storyboard_generation",
  kind: "fanout",
  noun: "storyboard",
  plural: "storyboards",
  generates: "image",
  // Takes are drawn for storyboards only: a character's portrait is one image.
  quote: (f) =>
    imageQuoteLine(
      "storyboard_generation",
      f.choices.image,
      f.storyboardItems,
      f.external,
      f.choices.image.platform === "builtin" ? 1 : f.choices.image.takes,
    ),
  progressMessage: (c) => `Generating storyboard ${Math.min(c.completed + c.processing, c.total)}/${c.total}`,
  items: {
    taskType: "storyboard_image",
    plan: planStoryboards,
    run: drawStoryboard,
    async accept(ctx, task, output) {
      const image = await uploadedImage(ctx, task, output);
      const id = parseItemRef(task.itemRef, "storyboard");
      const sb = id === null ? undefined : await findStoryboard(ctx.db, task.ownerId, id);
      if (!sb) return [];
      const placed = await placeStoryboardImage(ctx, task.ownerId, sb, image, `task-${task.id}`);
      return [
        itemStoryboardImageStatement(
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
        ),
      ];
    },
  },
} as const satisfies FanoutStep<"storyboard_generation">;
