import * as assets from "../../core/assets/assets";
import type { AssetRow } from "../../db/queries/assets";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { storedJson } from "../../platform/json-schema";
import { iso } from "../../platform/time";
import { ok } from "../envelope";
import * as routes from "./routes";

function assetOut(a: AssetRow) {
  return {
    id: a.id,
    name: a.name,
    description: a.description,
    asset_type: a.assetType,
    storage_path: a.storagePath,
    asset_metadata: storedJson(a.assetMetadata, null),
    duration_seconds: a.durationSeconds,
    source: a.source,
    visibility: a.visibility,
    status: a.status,
    content_type: a.contentType,
    size_bytes: a.sizeBytes,
    created_at: iso(a.createdAt),
    updated_at: iso(a.updatedAt),
  };
}

export const assetsRouter = createRouter()
  .openapi(routes.createAsset, async (c) => {
    return ok(
      c,
      assetOut(await assets.createAsset(contextOf(c), principalOf(c).userId, c.req.valid("json"))),
    );
  })
  .openapi(routes.listAssets, async (c) => {
    const q = c.req.valid("query");
    const rows = await assets.listOwnAssets(contextOf(c), principalOf(c).userId, {
      skip: q.skip,
      limit: q.limit,
      assetType: q.asset_type,
      status: q.status,
    });
    return ok(c, rows.map(assetOut));
  })
  .openapi(routes.listByType, async (c) => {
    const q = c.req.valid("query");
    const rows = await assets.listOwnAssets(contextOf(c), principalOf(c).userId, {
      skip: q.skip,
      limit: q.limit,
      assetType: c.req.valid("param").asset_type,
      status: q.status,
    });
    return ok(c, rows.map(assetOut));
  })
  .openapi(routes.getAsset, async (c) => {
    return ok(
      c,
      assetOut(await assets.getAsset(contextOf(c), principalOf(c).userId, c.req.valid("param").asset_id)),
    );
  })
  .openapi(routes.updateAsset, async (c) => {
    const row = await assets.updateOwnAsset(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").asset_id,
      c.req.valid("json"),
    );
    return ok(c, assetOut(row));
  })
  .openapi(routes.deleteAsset, async (c) => {
    await assets.deleteAsset(contextOf(c), principalOf(c).userId, c.req.valid("param").asset_id);
    return ok(c, { message: "Asset deleted successfully" });
  })
  .openapi(routes.putContent, async (c) => {
    const row = await assets.putAssetContent(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").asset_id,
      c.req.raw.body,
      c.req.header("Content-Length"),
    );
    return ok(c, assetOut(row));
  })
  .openapi(routes.getContent, async (c) => {
    const { asset, object } = await assets.getAssetContent(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").asset_id,
    );
    return c.body(object.body, 200, {
      "Content-Type": asset.contentType ?? "application/octet-stream",
      "Content-Length": String(object.size),
      "Content-Disposition": `attachment; filename="asset-${asset.id}"`,
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    });
  });
