import { type CardStyle, canvasSize } from "../../../contracts/render-spec";
import { findProjectCharacters } from "../../db/queries/characters";
import type { StoryboardRow } from "../../db/queries/storyboards";
import type { AppearanceSignature, AspectRatio } from "../../db/schema/studio";
import type { AppContext } from "../context";
import { type ImageInput, readImageBytes } from "../media/image-input";
import type { Rgba } from "../media/rgba";
import { consistencyScore } from "../media/signature";
import { storyboardImageKey } from "../media/storage-keys";
import { fileUrl } from "../media/urls";
import { drawFrame } from "../renderer/client";

export type { CardStyle };

/** The appearance references of a storyboard: its characters that have an image. */
export async function characterReferences(ctx: AppContext, ownerId: number, sb: StoryboardRow) {
  const rows = await findProjectCharacters(ctx.db, ownerId, sb.projectId, sb.characterIds);
  const withImage = rows.filter((c) => c.imageKey && c.signature);
  return {
    // The renderer fetches only from the public origin, whatever origin this request came in on.
    urls: (
      await Promise.all(
        withImage.slice(0, 6).map((c) => fileUrl({ ...ctx, origin: ctx.config.publicOrigin }, c.imageKey)),
      )
    ).filter((u): u is string => !!u),
    signatures: withImage.map((c) => c.signature as AppearanceSignature),
  };
}

const HAN = /\p{Script=Han}/u;

/** The card the built-in generator draws for a scene: title, description and dialogue, references. */
export function storyboardFrame(
  sb: StoryboardRow,
  aspect: AspectRatio,
  style: CardStyle,
  references: string[],
) {
  const { width, height } = canvasSize("720p", aspect);
  const text = [sb.description, sb.caption].filter(Boolean).join("\n").slice(0, 2000);
  return {
    width,
    height,
    style,
    title: HAN.test(sb.description) ? `第${sb.sceneNumber}场` : `Scene ${sb.sceneNumber}`,
    text,
    reference_images: references,
    seed: sb.id % 1_000_000,
  };
}

export interface PlacedImage {
  key: string;
  contentType: string;
  score: number | null;
}

/** Scores pixels against the characters' signatures (null when the scene names none with an image). */
export function scoreImage(pixels: Rgba, signatures: AppearanceSignature[]): number | null {
  return consistencyScore(pixels, signatures);
}

/**
 * Draws a storyboard's image with the renderer, stores it under a key named by `name` (a retry of
 * the same generation overwrites its own object) and scores it against the characters.
 */
export async function drawStoryboardImage(
  ctx: AppContext,
  ownerId: number,
  sb: StoryboardRow,
  aspect: AspectRatio,
  style: CardStyle,
  name: string,
): Promise<PlacedImage> {
  const refs = await characterReferences(ctx, ownerId, sb);
  const png = await drawFrame(ctx.env, storyboardFrame(sb, aspect, style, refs.urls));
  return placeStoryboardImage(ctx, ownerId, sb, await readImageBytes(png), name, refs.signatures);
}

/** Stores a decoded image (drawn or uploaded) as a storyboard's image and scores it. */
export async function placeStoryboardImage(
  ctx: AppContext,
  ownerId: number,
  sb: StoryboardRow,
  image: ImageInput,
  name: string,
  signatures?: AppearanceSignature[],
): Promise<PlacedImage> {
  const sigs = signatures ?? (await characterReferences(ctx, ownerId, sb)).signatures;
  const key = storyboardImageKey(ownerId, sb.projectId, sb.id, name, image.contentType);
  await ctx.env.BUCKET.put(key, image.bytes, { httpMetadata: { contentType: image.contentType } });
  return { key, contentType: image.contentType, score: scoreImage(image.pixels, sigs) };
}
