import { z } from "@hono/zod-openapi";
import { IdParam } from "../../platform/params";

const Name = z.string().trim().min(1).max(100);
const Description = z.string().max(2000);

/** An uploaded file field of a multipart body. */
export const ImageFile = z.instanceof(File, { error: "Send the image as a file field" }).openapi({
  type: "string",
  format: "binary",
  description: "PNG, JPEG or WebP, at most 10 MiB and 4096 px a side",
});

export const CharacterIdParamSchema = z.object({ character_id: IdParam("character_id") });

export const CreateCharacterBodySchema = z
  .object({
    name: Name.openapi({ example: "主角" }),
    project_id: z.uuid().openapi({ example: "550e8400-e29b-41d4-a716-446655440000" }),
    description: Description.optional().openapi({ example: "二十岁的女大学生，短发，穿红色外套" }),
    image: ImageFile,
  })
  .strict()
  .openapi("CreateCharacterRequest");

export const UpdateCharacterBodySchema = z
  .object({ name: Name.optional(), description: Description.nullable().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one field to update" })
  .openapi("UpdateCharacterRequest", { example: { name: "小红", description: "二十岁的女大学生，短发" } });

export const ReplaceImageBodySchema = z.object({ image: ImageFile }).strict().openapi("ImageUpload");

export const ListCharactersQuerySchema = z
  .object({
    project_id: z.uuid().optional(),
    skip: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();

export const CharacterSchema = z
  .object({
    id: z.number().int().openapi({ example: 1 }),
    name: z.string().openapi({ example: "主角" }),
    project_id: z.string().openapi({ example: "550e8400-e29b-41d4-a716-446655440000" }),
    description: z.string().nullable(),
    image_url: z.string().nullable().openapi({
      description: "Signed, expiring /files URL of the reference image",
      example: "https://api.example.com/files/users/1/projects/…/characters/….png?exp=…&sig=…",
    }),
    image: z
      .object({
        content_type: z.string(),
        width: z.number().int(),
        height: z.number().int(),
        size_bytes: z.number().int(),
      })
      .nullable(),
    source: z
      .enum(["upload", "generated"])
      .openapi({ description: "Uploaded by a user or drawn by a workflow" }),
    consistency_model_id: z.string().nullable().openapi({ example: "model_1_c3a1f0e07b3c9d12" }),
    created_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
    updated_at: z.string(),
  })
  .openapi("Character");

export const CharacterListSchema = z
  .object({ total: z.number().int(), items: z.array(CharacterSchema) })
  .openapi("CharacterList");

export const ConsistencyModelSchema = z
  .object({
    character_id: z.number().int().openapi({ example: 1 }),
    model_id: z.string().openapi({ example: "model_1_c3a1f0e07b3c9d12" }),
    status: z.literal("completed"),
    processing_time: z
      .number()
      .openapi({ description: "Seconds, storage reads and writes included", example: 0.12 }),
    signature: z.object({
      phash: z.string().openapi({ description: "64-bit DCT perceptual hash (hex)" }),
      histogram_bins: z.number().int(),
    }),
    created_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
  })
  .openapi("ConsistencyModel");
