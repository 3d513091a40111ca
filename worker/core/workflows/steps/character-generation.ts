import { canvasSize } from "../../../../contracts/render-spec";
import {
  findCharacter,
  listCharactersAfter,
  setGeneratedImageStatement,
} from "../../../db/queries/characters";
import type { AppContext } from "../../context";
import { readImageBytes } from "../../media/image-input";
import { generatedCharacterKey } from "../../media/storage-keys";
import { drawFrame } from "../../renderer/client";
import { putCharacterImage } from "../../studio/characters";
import { readOptions } from "../options";
import { chosenImage, generatePortrait, imageQuoteLine } from "./generated-images";
import {
  type FanoutStep,
  type ItemPage,
  itemRef,
  parseItemRef,
  type StepResult,
  type StepRun,
} from "./types";
import { uploadedImage } from "./uploaded-image";

/** Characters are drawn portrait, at the card size of a 720p 3:4 frame. */
const CARD = canvasSize("720p", "3:4");

/** The project's characters without an image (or every one but uploads, on request), a chunk at a time. */
async function planCharacters(
  ctx: AppContext,
  wf: { ownerId: number; projectId: string; options: unknown },
  after: number,
  limit: number,
): Promise<ItemPage> {
  const options = readOptions(wf.options);
  const style = options.style ?? "cinematic";
  const rows = await listCharactersAfter(ctx.db, wf.ownerId, wf.projectId, after, limit);
  return {
    items: rows
      .filter((c) => !c.imageKey || (options.regenerate_images === true && c.source !== "upload"))
      .map((c) => ({
        ref: itemRef("character", c.id),
        output: {
          character_id: c.id,
          name: c.name,
          description: c.description,
          style,
          width: CARD.width,
          height: CARD.height,
        },
      })),
    last: rows.at(-1)?.id ?? null,
    exhausted: rows.length < limit,
  };
}

/** Built-in generator: the renderer draws a card of the character. */
async function drawCharacter(ex: StepRun): Promise<StepResult> {
  const { ctx, task, workflow } = ex;
  const id = parseItemRef(task.itemRef, "character");
  const ch = id === null ? undefined : await findCharacter(ctx.db, task.ownerId, id);
  if (!ch) return { output: { skipped: "the character was deleted" }, statements: [] };
  const options = readOptions(workflow.options);
  if (ch.imageKey && (ch.source === "upload" || !options.regenerate_images)) {
    return { output: { skipped: "the character already has an image", character_id: ch.id }, statements: [] };
  }
  const provider = chosenImage(workflow.providers);
  if (provider) return generatePortrait(ex, ch, provider);
  const png = await drawFrame(ctx.env, {
    width: CARD.width,
    height: CARD.height,
    style: options.style ?? "cinematic",
    title: ch.name,
    text: ch.description ?? "",
    reference_images: [],
    seed: ch.id % 1_000_000,
  });
  const key = generatedCharacterKey(task.ownerId, ch.projectId, ch.id, `task-${task.id}`);
  const stored = await putCharacterImage(ctx, key, await readImageBytes(png));
  return {
    output: { character_id: ch.id, image_key: key },
    statements: [setGeneratedImageStatement(ctx.db, ch.id, stored, ctx.now)],
    obsoleteKeys: ch.imageKey && ch.imageKey !== key ? [ch.imageKey] : [],
    orphanKeys: [key],
  };
}

/** `character_generation`: one `character_image` item per character that needs an image. */
export const characterGeneration = {
  name: "character_generation",
  kind: "fanout",
  noun: "character",
  plural: "characters",
  generates: "image",
  quote: (f) => imageQuoteLine("character_generation", f.choices.image, f.characterItems, f.external, 1),
  progressMessage: (c) => `Generating character ${Math.min(c.completed + c.processing, c.total)}/${c.total}`,
  items: {
    taskType: "character_image",
    plan: planCharacters,
    run: drawCharacter,
    async accept(ctx, task, output) {
      const image = await uploadedImage(ctx, task, output);
      const id = parseItemRef(task.itemRef, "character");
      const ch = id === null ? undefined : await findCharacter(ctx.db, task.ownerId, id);
      if (!ch) return [];
      const key = generatedCharacterKey(task.ownerId, ch.projectId, ch.id, `task-${task.id}`);
      return [setGeneratedImageStatement(ctx.db, ch.id, await putCharacterImage(ctx, key, image), ctx.now)];
    },
  },
} as const satisfies FanoutStep<"character_generation">;
