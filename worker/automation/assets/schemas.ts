import { z } from "@hono/zod-openapi";
import { JsonObject, Pagination } from "../common";

export const ASSET_TYPES = ["video", "image", "audio", "text"] as const;
const AssetType = z.enum(ASSET_TYPES);

const Fields = {
  name: z.string().trim().min(1).max(200).openapi({ example: "测试视频" }),
  description: z.string().max(5000).nullable().optional(),
  asset_type: AssetType,
  storage_path: z
    .string()
    .max(2048)
    .nullable()
    .optional()
    .openapi({ description: "Where the bytes live; `r2://` paths must be under your own prefix" }),
  asset_metadata: JsonObject.nullable().optional(),
  duration_seconds: z.number().min(0).max(86_400).nullable().optional(),
  source: z.string().max(100).nullable().optional().openapi({ example: "ai_generated" }),
  visibility: z.enum(["private", "public"]).optional(),
  status: z.string().trim().min(1).max(50).optional().openapi({ example: "PENDING_ANALYSIS" }),
};

export const CreateAssetSchema = z.object(Fields).strict().openapi("CreateAssetRequest");

export const UpdateAssetSchema = z
  .object({ ...Fields, name: Fields.name.optional(), asset_type: AssetType.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one field to update" })
  .openapi("UpdateAssetRequest");

export const ListAssetsQuery = z
  .object({ ...Pagination, asset_type: AssetType.optional(), status: z.string().max(50).optional() })
  .strict();

export const ByTypeParams = z.object({
  asset_type: AssetType.openapi({ param: { name: "asset_type", in: "path" }, example: "video" }),
});

export const AssetSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    description: z.string().nullable(),
    asset_type: z.string(),
    storage_path: z.string().nullable(),
    asset_metadata: JsonObject.nullable(),
    duration_seconds: z.number().nullable(),
    source: z.string().nullable(),
    visibility: z.string(),
    status: z.string(),
    content_type: z.string().nullable(),
    size_bytes: z.number().int().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Asset");
