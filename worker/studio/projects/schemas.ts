import { z } from "@hono/zod-openapi";
import { ASPECT_RATIOS, PROJECT_STATUSES } from "../../db/schema/studio";

export const SCRIPT_MAX_LENGTH = 200_000;

const Name = z.string().trim().min(1).max(200);
const Description = z.string().max(5000).nullable();
const Script = z.string().max(SCRIPT_MAX_LENGTH).nullable();

export const ProjectIdParamSchema = z.object({
  project_id: z.uuid().openapi({
    param: { name: "project_id", in: "path" },
    example: "550e8400-e29b-41d4-a716-446655440000",
  }),
});

export const CreateProjectBodySchema = z
  .object({
    name: Name.openapi({ example: "我的第一个短剧" }),
    description: Description.optional().openapi({ example: "一个关于爱情的故事" }),
    aspect_ratio: z.enum(ASPECT_RATIOS).default("9:16").openapi({ example: "9:16" }),
    script: Script.optional().openapi({ example: "场景1：公园\n小明：今天天气真好。" }),
  })
  .strict()
  .openapi("CreateProjectRequest");

export const UpdateProjectBodySchema = z
  .object({
    name: Name.optional().openapi({ example: "更新后的项目名称" }),
    description: Description.optional().openapi({ example: "更新后的描述" }),
    script: Script.optional().openapi({ example: "更新后的剧本内容" }),
    aspect_ratio: z.enum(ASPECT_RATIOS).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one field to update" })
  .openapi("UpdateProjectRequest");

export const ListProjectsQuerySchema = z
  .object({
    skip: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(100).default(10),
    status: z.enum(PROJECT_STATUSES).optional(),
  })
  .strict();

export const ProjectSchema = z
  .object({
    id: z.string().openapi({ example: "550e8400-e29b-41d4-a716-446655440000" }),
    name: z.string().openapi({ example: "我的第一个短剧" }),
    description: z.string().nullable().openapi({ example: "一个关于爱情的故事" }),
    aspect_ratio: z.enum(ASPECT_RATIOS),
    status: z.enum(PROJECT_STATUSES).openapi({ example: "draft" }),
    created_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
    updated_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
  })
  .openapi("Project");

export const ProjectWithScriptSchema = ProjectSchema.extend({
  script: z.string().nullable().openapi({ example: "场景1：公园..." }),
}).openapi("ProjectWithScript");

export const ProjectDetailSchema = ProjectWithScriptSchema.extend({
  characters: z.array(
    z.object({
      id: z.number().int(),
      name: z.string(),
      image_url: z.string().nullable(),
    }),
  ),
  storyboards: z.array(
    z.object({
      id: z.number().int(),
      scene_number: z.number().int(),
      description: z.string(),
      image_url: z.string().nullable(),
    }),
  ),
}).openapi("ProjectDetail");

export const ProjectListSchema = z
  .object({ total: z.number().int().openapi({ example: 25 }), items: z.array(ProjectSchema) })
  .openapi("ProjectList");
