import {
  type CharacterImage,
  type CharacterRow,
  findCharacter,
  insertCharacter,
  listCharacters,
  softDeleteCharacter,
  updateCharacter,
} from "../../db/queries/characters";
import { findStudioProject } from "../../db/queries/studio-projects";
import { badRequest, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { decodeImage, inspectImage } from "../media/decode";
import { consistencyModelId, type ImageInput, readImageFile } from "../media/image-input";
import { signatureOf } from "../media/signature";
import { characterImageKey } from "../media/storage-keys";

/**
 * Characters of a studio project. A character's image is the reference its
 * storyboards are scored against: its appearance signature (core/media/signature.ts) is computed
 * from the pixels at upload and whenever the consistency model is rebuilt.
 */
/** Stores a checked image under `key` and describes it as a character's reference image. */
export async function putCharacterImage(
  ctx: AppContext,
  key: string,
  image: ImageInput,
): Promise<CharacterImage> {
  await ctx.env.BUCKET.put(key, image.bytes, { httpMetadata: { contentType: image.contentType } });
  return describeCharacterImage(ctx, key, image);
}

/** The character row's image fields for a checked image stored under `key`. */
export function describeCharacterImage(ctx: AppContext, key: string, image: ImageInput): CharacterImage {
  return {
    imageKey: key,
    imageContentType: image.contentType,
    imageWidth: image.width,
    imageHeight: image.height,
    imageBytes: image.bytes.byteLength,
    signature: image.signature,
    consistencyModelId: consistencyModelId(image.signature),
    signatureComputedAt: ctx.now,
    signatureProcessingMs: 0,
  };
}

function storeImage(
  ctx: AppContext,
  ownerId: number,
  projectId: string,
  image: ImageInput,
): Promise<CharacterImage> {
  return putCharacterImage(ctx, characterImageKey(ownerId, projectId, image.contentType), image);
}

export async function createCharacter(
  ctx: AppContext,
  ownerId: number,
  input: { project_id: string; name: string; description?: string | undefined; image: File },
): Promise<CharacterRow> {
  // The project is checked before the file is read, so a foreign project costs nothing.
  if (!(await findStudioProject(ctx.db, ownerId, input.project_id))) throw notFound("Project");
  const image = await readImageFile(input.image);
  const stored = await storeImage(ctx, ownerId, input.project_id, image);
  const row = await insertCharacter(
    ctx.db,
    ownerId,
    {
      projectId: input.project_id,
      name: input.name,
      description: input.description ?? null,
      source: "upload",
      image: stored,
    },
    ctx.now,
  );
  if (!row) {
    await ctx.env.BUCKET.delete(stored.imageKey);
    throw notFound("Project");
  }
  return row;
}

export async function getCharacter(ctx: AppContext, ownerId: number, id: number): Promise<CharacterRow> {
  const row = await findCharacter(ctx.db, ownerId, id);
  if (!row) throw notFound("Character");
  return row;
}

export function listOwnCharacters(
  ctx: AppContext,
  ownerId: number,
  q: { project_id?: string | undefined; skip: number; limit: number },
) {
  return listCharacters(ctx.db, ownerId, { projectId: q.project_id, skip: q.skip, limit: q.limit });
}

export async function editCharacter(
  ctx: AppContext,
  ownerId: number,
  id: number,
  input: { name?: string | undefined; description?: string | null | undefined },
) {
  const patch: { name?: string; description?: string | null } = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.description !== undefined) patch.description = input.description;
  const row = await updateCharacter(ctx.db, ownerId, id, patch, ctx.now);
  if (!row) throw notFound("Character");
  return row;
}

/** Replaces the reference image; the old object is removed once the row points at the new one. */
export async function replaceCharacterImage(ctx: AppContext, ownerId: number, id: number, file: File) {
  const before = await getCharacter(ctx, ownerId, id);
  const image = await readImageFile(file);
  const stored = await storeImage(ctx, ownerId, before.projectId, image);
  const row = await updateCharacter(ctx.db, ownerId, id, { ...stored, source: "upload" }, ctx.now);
  if (!row) {
    await ctx.env.BUCKET.delete(stored.imageKey);
    throw notFound("Character");
  }
  if (before.imageKey && before.imageKey !== stored.imageKey) await ctx.env.BUCKET.delete(before.imageKey);
  return row;
}

export async function deleteCharacter(ctx: AppContext, ownerId: number, id: number) {
  const row = await softDeleteCharacter(ctx.db, ownerId, id, ctx.now);
  if (!row) throw notFound("Character");
  if (row.imageKey) await ctx.env.BUCKET.delete(row.imageKey);
}

/**
 * Rebuilds the consistency model from the stored image: read from R2, decode, fingerprint, save.
 * `processingMs` is wall time from the start of the read to the saved row (Workers' clocks only
 * move across I/O, so pure computation alone would read as zero).
 */
export async function rebuildConsistencyModel(ctx: AppContext, ownerId: number, id: number) {
  const started = ctx.clock();
  const character = await getCharacter(ctx, ownerId, id);
  if (!character.imageKey) throw badRequest("The character has no image yet: upload one first");
  const object = await ctx.env.BUCKET.get(character.imageKey);
  if (!object) throw badRequest("The character's image is missing from storage: upload it again");
  const bytes = new Uint8Array(await object.arrayBuffer());
  const header = inspectImage(bytes);
  const signature = signatureOf(await decodeImage(bytes, header.type));
  const computedAt = ctx.clock();
  const row = await updateCharacter(
    ctx.db,
    ownerId,
    id,
    {
      signature,
      consistencyModelId: consistencyModelId(signature),
      signatureComputedAt: computedAt,
      signatureProcessingMs: computedAt - started,
    },
    computedAt,
  );
  if (!row) throw notFound("Character");
  const processingMs = ctx.clock() - started;
  return { row, processingMs };
}
