import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity } from "../../platform/openapi-responses";
import { operator, workerOrOperator } from "../access";
import { errors, IdParam, jsonBody, MessageData, okResponse } from "../common";
import { AssetSchema, ByTypeParams, CreateAssetSchema, ListAssetsQuery, UpdateAssetSchema } from "./schemas";

const tags = ["Assets"];
const security = bearerSecurity;
const Params = z.object({ asset_id: IdParam("asset_id") });
const one = okResponse(AssetSchema, "AssetEnvelope", "The asset");
const many = okResponse(z.array(AssetSchema), "AssetListEnvelope", "Assets");

export const createAsset = createRoute({
  method: "post",
  path: "/api/assets",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "Create an asset record (upload its bytes with PUT /api/assets/{id}/content)",
  request: { body: jsonBody(CreateAssetSchema) },
  responses: { 200: one, ...errors(400, 401, 403, 429) },
});

export const listAssets = createRoute({
  method: "get",
  path: "/api/assets",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "List assets (skip, limit, asset_type, status)",
  request: { query: ListAssetsQuery },
  responses: { 200: many, ...errors(400, 401, 403, 429) },
});

export const listByType = createRoute({
  method: "get",
  path: "/api/assets/by-type/{asset_type}",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "List assets of one type",
  request: { params: ByTypeParams, query: ListAssetsQuery.omit({ asset_type: true }) },
  responses: { 200: many, ...errors(400, 401, 403, 404, 429) },
});

export const getAsset = createRoute({
  method: "get",
  path: "/api/assets/{asset_id}",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "One asset",
  request: { params: Params },
  responses: { 200: one, ...errors(401, 403, 404, 429) },
});

export const updateAsset = createRoute({
  method: "put",
  path: "/api/assets/{asset_id}",
  tags,
  security,
  middleware: operator,
  summary: "Update an asset",
  request: { params: Params, body: jsonBody(UpdateAssetSchema) },
  responses: { 200: one, ...errors(400, 401, 403, 404, 429) },
});

export const deleteAsset = createRoute({
  method: "delete",
  path: "/api/assets/{asset_id}",
  tags,
  security,
  middleware: operator,
  summary: "Delete an asset (soft delete; its stored bytes are removed)",
  request: { params: Params },
  responses: { 200: okResponse(MessageData, "MessageEnvelope", "Deleted"), ...errors(401, 403, 404, 429) },
});

const Binary = z.string().openapi({ type: "string", format: "binary" });

export const putContent = createRoute({
  method: "put",
  path: "/api/assets/{asset_id}/content",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "Upload the asset's bytes (streamed to R2; type checked by magic bytes; ≤ 95 MiB)",
  request: {
    params: Params,
    body: { required: true, content: { "application/octet-stream": { schema: Binary } } },
  },
  responses: { 200: one, ...errors(400, 401, 403, 404, 413, 415, 429) },
});

export const getContent = createRoute({
  method: "get",
  path: "/api/assets/{asset_id}/content",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "Download the asset's bytes",
  request: { params: Params },
  responses: {
    200: { description: "The bytes", content: { "application/octet-stream": { schema: Binary } } },
    ...errors(401, 403, 404, 429),
  },
});
