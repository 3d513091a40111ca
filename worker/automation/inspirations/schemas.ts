import { z } from "@hono/zod-openapi";
import { INSPIRATION_STATUSES } from "../../db/schema/automation";
import { JsonObject, Pagination } from "../common";

const Fields = {
  title: z.string().trim().min(1).max(200).openapi({ example: "AI短视频创意" }),
  description: z.string().max(10_000).nullable().optional().openapi({ example: "关于科技的短视频" }),
  project_type_code: z.string().max(100).nullable().optional().openapi({ example: "tech_video" }),
  source: z.string().max(100).nullable().optional().openapi({ example: "user_input" }),
  parameters: JsonObject.nullable().optional(),
};

export const CreateInspirationSchema = z.object(Fields).strict().openapi("CreateInspirationRequest");

export const UpdateInspirationSchema = z
  .object({
    ...Fields,
    title: Fields.title.optional(),
    status: z.enum(INSPIRATION_STATUSES).optional(),
    score: z.number().min(0).max(100).nullable().optional(),
    score_details: JsonObject.nullable().optional(),
    review_notes: z.string().max(10_000).nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one field to update" })
  .openapi("UpdateInspirationRequest");

export const ApproveSchema = z
  .object({
    review_notes: z.string().max(10_000).nullable().optional(),
    score: z.number().min(0).max(100).nullable().optional(),
  })
  .strict()
  .openapi("ApproveInspirationRequest", { example: { review_notes: "适合改编成三集", score: 88 } });

export const RejectSchema = z
  .object({ review_notes: z.string().max(10_000).nullable().optional() })
  .strict()
  .openapi("RejectInspirationRequest", { example: { review_notes: "题材重复" } });

export const RegenerateInspirationSchema = z
  .object({ parameter_overrides: JsonObject.optional() })
  .strict()
  .openapi("RegenerateInspirationRequest", { example: { parameter_overrides: { genre: "悬疑" } } });

export const ListInspirationsQuery = z
  .object({ ...Pagination, status: z.enum(INSPIRATION_STATUSES).optional() })
  .strict();

export const InspirationSchema = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    project_type_code: z.string().nullable(),
    source: z.string().nullable(),
    parameters: JsonObject.nullable(),
    status: z.enum(INSPIRATION_STATUSES),
    score: z.number().nullable(),
    score_details: JsonObject.nullable(),
    review_notes: z.string().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("Inspiration");
