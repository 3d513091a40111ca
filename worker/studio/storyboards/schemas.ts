import { z } from "@hono/zod-openapi";
import { CARD_STYLES } from "../../../contracts/render-spec";
import { STORYBOARD_STATUSES } from "../../db/schema/studio";
import { IdParam } from "../../platform/params";
import { ImageFile } from "../characters/schemas";

const SceneNumber = z.number().int().min(1).max(10_000);
const Description = z.string().trim().min(1).max(2000);
const Caption = z.string().max(500).nullable();
const CharacterIds = z.array(z.number().int().positive()).max(20);
const Duration = z.number().min(1).max(120);

export const StoryboardIdParamSchema = z.object({ storyboard_id: IdParam("storyboard_id") });

export const CreateStoryboardBodySchema = z
  .object({
    project_id: z.uuid().openapi({ example: "550e8400-e29b-41d4-a716-446655440000" }),
    scene_number: SceneNumber.optional().openapi({
      example: 1,
      description: "Defaults to the next free scene",
    }),
    description: Description.openapi({ example: "主角在公园散步，阳光明媚" }),
    caption: Caption.optional().openapi({
      description: "Dialogue, burned in as subtitles",
      example: "小明：今天天气真好。",
    }),
    character_ids: CharacterIds.optional().openapi({ example: [1] }),
    duration: Duration.optional().openapi({ example: 5.0, description: "Seconds (default 5)" }),
  })
  .strict()
  .openapi("CreateStoryboardRequest");

export const UpdateStoryboardBodySchema = z
  .object({
    scene_number: SceneNumber.optional(),
    description: Description.optional(),
    caption: Caption.optional(),
    character_ids: CharacterIds.optional(),
    duration: Duration.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one field to update" })
  .openapi("UpdateStoryboardRequest", {
    example: { description: "湖边的黄昏，两人并肩散步", caption: "小红：你看，好美的夕阳。", duration: 6 },
  });

export const ListStoryboardsQuerySchema = z.object({ project_id: z.uuid() }).strict();

export const ReorderBodySchema = z
  .object({
    project_id: z.uuid(),
    order: z
      .array(z.number().int().positive())
      .max(1000)
      .openapi({ description: "Every storyboard id of the project, in the new order" }),
  })
  .strict()
  .openapi("ReorderStoryboardsRequest", {
    example: { project_id: "550e8400-e29b-41d4-a716-446655440000", order: [3, 1, 2] },
  });

export const GenerateBodySchema = z
  .object({ style: z.enum(CARD_STYLES).default("cinematic").openapi({ example: "anime" }) })
  .strict()
  .openapi("GenerateStoryboardRequest");

export const ImageOverrideBodySchema = z
  .object({ image: ImageFile })
  .strict()
  .openapi("StoryboardImageUpload");

export const StoryboardSchema = z
  .object({
    id: z.number().int().openapi({ example: 1 }),
    project_id: z.string().openapi({ example: "550e8400-e29b-41d4-a716-446655440000" }),
    scene_number: z.number().int().openapi({ example: 1 }),
    description: z.string().openapi({ example: "主角在公园散步，阳光明媚" }),
    caption: z.string().nullable(),
    character_ids: z.array(z.number().int()),
    duration: z.number().openapi({ example: 5.0 }),
    image_url: z.string().nullable().openapi({ description: "Signed, expiring /files URL" }),
    status: z.enum(STORYBOARD_STATUSES).openapi({ example: "pending" }),
    style: z.enum(CARD_STYLES).nullable(),
    image_source: z.enum(["generated", "external", "upload"]).nullable(),
    consistency_score: z
      .number()
      .nullable()
      .openapi({ description: "0..1 appearance similarity to the scene's characters" }),
    error: z.string().nullable(),
    created_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
    updated_at: z.string(),
  })
  .openapi("Storyboard");

export const StoryboardListSchema = z
  .object({ total: z.number().int(), items: z.array(StoryboardSchema) })
  .openapi("StoryboardList");

export const GenerationResultSchema = z
  .object({
    storyboard_id: z.number().int().openapi({ example: 1 }),
    image_url: z
      .string()
      .openapi({ example: "https://api.example.com/files/…/storyboards/1/generated-….png?exp=…&sig=…" }),
    status: z.literal("completed"),
    style: z.enum(CARD_STYLES),
    processing_time: z.number().openapi({ example: 3.2, description: "Seconds" }),
    consistency_score: z.number().nullable().openapi({
      example: 0.95,
      description:
        "Appearance similarity to the storyboard's characters (null when it names none with an image)",
    }),
  })
  .openapi("StoryboardGeneration");

export const TakeParamSchema = z.object({
  storyboard_id: IdParam("storyboard_id"),
  take_id: IdParam("take_id"),
});

export const TakeListSchema = z
  .object({
    storyboard_id: z.number().int(),
    items: z.array(
      z.object({
        id: z.number().int().openapi({ example: 7 }),
        media: z
          .enum(["image"])
          .openapi({ description: "image now; audio and video takes come with voices and clips" }),
        image_url: z.string().nullable(),
        width: z.number().int().nullable(),
        height: z.number().int().nullable(),
        consistency_score: z.number().nullable(),
        provider: z.string().openapi({ example: "openai" }),
        model: z.string().openapi({ example: "gpt-image-1" }),
        selected: z.boolean(),
        created_at: z.string(),
      }),
    ),
  })
  .openapi("StoryboardTakes");
