import type { CardStyle } from "../../../contracts/render-spec";
import type { CharacterRow } from "../../db/queries/characters";
import { findProjectCharacters } from "../../db/queries/characters";
import type { GenerationJobRow } from "../../db/queries/generation-jobs";
import type { StoryboardRow } from "../../db/queries/storyboards";
import type { AppearanceSignature } from "../../db/schema/studio";
import { downloadImage, type ImageResult, type ImageInput as ProviderImage } from "../../providers";
import type { AppContext } from "../context";
import { type ImageInput, readImageBytes } from "../media/image-input";
import { consistencyScore } from "../media/signature";

/**
 * What the image steps send to a provider and how its answer is kept: prompts from the shot and
 * the style preset, the characters' images as references, and every result copied into R2 only
 * after it is verified (magic bytes, decoded dimensions, the size cap).
 */

/** A generated image is at most this big (the provider layer streams at most 16 MiB). */
export const GENERATED_IMAGE_MAX_BYTES = 16 * 1024 * 1024;
const MAX_SIDE = 4096;

/** The style presets, as words a text-to-image model reads. */
const STYLE_PROMPTS: Record<CardStyle, string> = {
  anime: "anime style, clean line art, cel shading, vibrant colours",
  realistic: "photorealistic, natural light, 35mm photograph, detailed",
  cinematic: "cinematic film still, dramatic lighting, shallow depth of field, anamorphic",
  watercolor: "watercolour painting, soft washes, paper texture",
  comic: "comic book panel, bold ink outlines, halftone shading",
};

export function storyboardPrompt(sb: StoryboardRow, cast: CharacterRow[], style: CardStyle): string {
  const people = cast
    .map((c) => (c.description ? `${c.name}: ${c.description}` : c.name))
    .join("; ")
    .slice(0, 1200);
  return [
    sb.description.slice(0, 2000),
    people ? `Characters: ${people}.` : "",
    `Style: ${STYLE_PROMPTS[style]}.`,
    "A single frame of a short drama; no text, captions or speech bubbles in the image.",
  ]
    .filter(Boolean)
    .join("\n");
}

export function portraitPrompt(ch: CharacterRow, style: CardStyle): string {
  return [
    `Character portrait of ${ch.name}${ch.description ? `: ${ch.description.slice(0, 1500)}` : ""}.`,
    "Head and shoulders, facing the camera, neutral background, consistent character reference sheet.",
    `Style: ${STYLE_PROMPTS[style]}.`,
    "No text in the image.",
  ].join("\n");
}

/** The references of a shot: its characters' images, read from R2 (at most four), and their signatures. */
export async function shotReferences(
  ctx: AppContext,
  ownerId: number,
  sb: StoryboardRow,
): Promise<{ cast: CharacterRow[]; images: ProviderImage[]; signatures: AppearanceSignature[] }> {
  const cast = await findProjectCharacters(ctx.db, ownerId, sb.projectId, sb.characterIds);
  const images: ProviderImage[] = [];
  for (const c of cast.filter((c) => c.imageKey).slice(0, 4)) {
    const object = await ctx.env.BUCKET.get(c.imageKey as string);
    if (!object) continue;
    images.push({
      bytes: new Uint8Array(await object.arrayBuffer()),
      mediaType: c.imageContentType ?? "image/png",
    });
  }
  return {
    cast,
    images,
    signatures: cast.flatMap((c) => (c.signature ? [c.signature as AppearanceSignature] : [])),
  };
}

export interface StoredImage {
  key: string;
  content_type: string;
  width: number;
  height: number;
  bytes: number;
}

/** The bytes of an image result (downloaded through the guarded fetch when it is a URL), checked and decoded. */
export async function verifiedImage(result: ImageResult): Promise<ImageInput> {
  const raw =
    result.image.type === "bytes"
      ? result.image.bytes
      : (await downloadImage(result.image.url, { fetch: (i, init) => fetch(i, init) })).bytes;
  if (raw.byteLength > GENERATED_IMAGE_MAX_BYTES)
    throw new Error(`the image is ${raw.byteLength} bytes; at most ${GENERATED_IMAGE_MAX_BYTES}`);
  const image = await readImageBytes(raw);
  if (image.width > MAX_SIDE || image.height > MAX_SIDE)
    throw new Error(`the image is ${image.width}×${image.height}; at most ${MAX_SIDE} px a side`);
  return image;
}

/** Copies a verified result into R2 under a key named after its job (a resumed job overwrites its own). */
export async function storeImageResult(
  ctx: AppContext,
  result: ImageResult,
  keyOf: (job: GenerationJobRow, contentType: string) => string,
  job: GenerationJobRow,
): Promise<StoredImage> {
  const image = await verifiedImage(result);
  const key = keyOf(job, image.contentType);
  await ctx.env.BUCKET.put(key, image.bytes, { httpMetadata: { contentType: image.contentType } });
  return {
    key,
    content_type: image.contentType,
    width: image.width,
    height: image.height,
    bytes: image.bytes.byteLength,
  };
}

/** Reads a stored result back (decoded, for scoring and signatures). */
export async function readStored(ctx: AppContext, stored: StoredImage): Promise<ImageInput> {
  const object = await ctx.env.BUCKET.get(stored.key);
  if (!object) throw new Error(`the generated image ${stored.key} is missing from storage`);
  return readImageBytes(new Uint8Array(await object.arrayBuffer()));
}

export function scoreOf(image: ImageInput, signatures: AppearanceSignature[]): number | null {
  return consistencyScore(image.pixels, signatures);
}
