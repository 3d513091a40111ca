import {
  type AssetRow,
  type AssetWrite,
  findAsset,
  insertAsset,
  listAssets,
  softDeleteAsset,
  updateAsset,
} from "../../db/queries/assets";
import { badRequest, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { assetKey, userPrefix } from "../media/storage-keys";
import { streamToBucket } from "../media/upload";

/** The most a single asset upload may carry: below the Worker's 100 MB request cap. */
export const ASSET_MAX_BYTES = 95 * 1024 * 1024;

export interface AssetInput {
  name?: string | undefined;
  description?: string | null | undefined;
  asset_type?: string | undefined;
  storage_path?: string | null | undefined;
  asset_metadata?: Record<string, unknown> | null | undefined;
  duration_seconds?: number | null | undefined;
  source?: string | null | undefined;
  visibility?: string | undefined;
  status?: string | undefined;
}

/**
 * `storage_path` is the client's to set, except that an `r2://` path must point inside the
 * owner's own prefix: it is how an asset refers to an object we hold.
 */
function checkStoragePath(ownerId: number, path: string | null | undefined) {
  if (!path?.startsWith("r2://")) return;
  const key = path.slice("r2://".length);
  if (!key.startsWith(userPrefix(ownerId)) || key.includes("..")) {
    throw badRequest("storage_path may only name objects under your own storage prefix");
  }
}

function toWrite(input: AssetInput): AssetWrite {
  const w: AssetWrite = {};
  if (input.name !== undefined) w.name = input.name;
  if (input.description !== undefined) w.description = input.description;
  if (input.asset_type !== undefined) w.assetType = input.asset_type;
  if (input.storage_path !== undefined) w.storagePath = input.storage_path;
  if (input.asset_metadata !== undefined) w.assetMetadata = input.asset_metadata;
  if (input.duration_seconds !== undefined) w.durationSeconds = input.duration_seconds;
  if (input.source !== undefined) w.source = input.source;
  if (input.visibility !== undefined) w.visibility = input.visibility;
  if (input.status !== undefined) w.status = input.status;
  return w;
}

export async function createAsset(
  ctx: AppContext,
  ownerId: number,
  input: AssetInput & { name: string; asset_type: string },
) {
  checkStoragePath(ownerId, input.storage_path);
  return insertAsset(
    ctx.db,
    ownerId,
    { ...toWrite(input), name: input.name, assetType: input.asset_type, status: input.status ?? "ACTIVE" },
    ctx.now,
  );
}

export async function getAsset(ctx: AppContext, ownerId: number, id: number): Promise<AssetRow> {
  const row = await findAsset(ctx.db, ownerId, id);
  if (!row) throw notFound("Asset");
  return row;
}

export function listOwnAssets(
  ctx: AppContext,
  ownerId: number,
  q: { skip: number; limit: number; assetType?: string | undefined; status?: string | undefined },
) {
  return listAssets(ctx.db, ownerId, q);
}

export async function updateOwnAsset(ctx: AppContext, ownerId: number, id: number, input: AssetInput) {
  checkStoragePath(ownerId, input.storage_path);
  const row = await updateAsset(ctx.db, ownerId, id, toWrite(input), ctx.now);
  if (!row) throw notFound("Asset");
  return row;
}

export async function deleteAsset(ctx: AppContext, ownerId: number, id: number) {
  const row = await softDeleteAsset(ctx.db, ownerId, id, ctx.now);
  if (!row) throw notFound("Asset");
  if (row.r2Key) await ctx.env.BUCKET.delete(row.r2Key);
}

/**
 * Stores the asset's bytes in R2 (workers upload generated images here). The content must match
 * the asset's type by its magic bytes; the asset then points at its own content URL.
 */
export async function putAssetContent(
  ctx: AppContext,
  ownerId: number,
  id: number,
  body: ReadableStream<Uint8Array> | null,
  contentLength: string | undefined,
) {
  const asset = await getAsset(ctx, ownerId, id);
  const key = assetKey(ownerId, id);
  const stored = await streamToBucket(ctx.env.BUCKET, key, body, {
    contentLength,
    maxBytes: ASSET_MAX_BYTES,
    accept: (s) => s.kind === asset.assetType,
  });
  const row = await updateAsset(
    ctx.db,
    ownerId,
    id,
    {
      r2Key: key,
      contentType: stored.sniffed.contentType,
      sizeBytes: stored.size,
      storagePath: `/api/assets/${id}/content`,
    },
    ctx.now,
  );
  return row ?? asset;
}

export async function getAssetContent(ctx: AppContext, ownerId: number, id: number) {
  const asset = await getAsset(ctx, ownerId, id);
  if (!asset.r2Key) throw notFound("Asset content");
  const object = await ctx.env.BUCKET.get(asset.r2Key);
  if (!object) throw notFound("Asset content");
  return { asset, object };
}
