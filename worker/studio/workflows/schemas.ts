import { z } from "@hono/zod-openapi";
import { GENERATORS, WorkflowOptionsSchema } from "../../core/workflows/options";
import { STEP_NAMES } from "../../core/workflows/steps";
import { WORKFLOW_STATUSES, WORKFLOW_TYPES } from "../../db/schema/studio";
import { IdParam } from "../../platform/params";

export const WorkflowIdParamSchema = z.object({ workflow_id: IdParam("workflow_id") });

export const StartWorkflowBodySchema = z
  .object({
    project_id: z.uuid().openapi({ example: "550e8400-e29b-41d4-a716-446655440000" }),
    workflow_type: z.enum(WORKFLOW_TYPES).openapi({ example: "full_production" }),
    generator: z.enum(GENERATORS).default("builtin").openapi({
      description:
        "builtin: images drawn by the renderer; external: character_image/storyboard_image tasks for your workers",
    }),
    options: WorkflowOptionsSchema.optional().openapi({ example: { style: "anime", resolution: "720p" } }),
    quote_id: z.string().min(1).max(100).optional().openapi({
      description:
        "The quote_id of POST /api/v1/workflows/estimate: the start is refused (409) if the quote changed",
    }),
  })
  .strict()
  .openapi("StartWorkflowRequest");

export const EstimateWorkflowBodySchema = StartWorkflowBodySchema.omit({ quote_id: true }).openapi(
  "EstimateWorkflowRequest",
);

const ProviderUsedSchema = z
  .object({
    platform: z
      .string()
      .openapi({ example: "openai", description: "builtin: the offline default; external: your workers" }),
    model: z.string().nullable().openapi({ example: "gpt-image-1" }),
    source: z.enum(["options", "generation_config", "workers_ai_binding", "builtin", "generator"]),
  })
  .openapi("StepProvider");

export const QuoteSchema = z
  .object({
    quote_id: z.string().openapi({ example: "q_4f1c0d8e2b7a9c3e5f1d0a2b4c6e8f0a" }),
    currency: z.literal("credits"),
    lines: z.array(
      z.object({
        step: z.enum(STEP_NAMES),
        kind: z.enum(["llm", "image", "export"]),
        provider: z.string().openapi({ example: "openai" }),
        model: z.string().nullable(),
        unit: z.string().openapi({ example: "image" }),
        items: z.number().int(),
        takes: z.number().int(),
        unit_price: z.number().openapi({ example: 0.5, description: "Credits per unit" }),
        amount: z.number().openapi({ example: 2.5, description: "items × takes × unit_price, in credits" }),
      }),
    ),
    generation: z.number().openapi({ description: "Credits the start reserves (the generation lines)" }),
    export: z
      .number()
      .openapi({ description: "Credits of the export, reserved when video_rendering starts" }),
    total: z.number(),
  })
  .openapi("WorkflowQuote");

export const IdempotencyHeaderSchema = z.object({
  "idempotency-key": z
    .string()
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header" },
      description: "Retries with the same key and body return the first answer",
    }),
});

export const ListWorkflowsQuerySchema = z
  .object({
    project_id: z.uuid().optional(),
    status: z.enum(WORKFLOW_STATUSES).optional(),
    skip: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

const Base = {
  id: z.number().int().openapi({ example: 1 }),
  project_id: z.string().openapi({ example: "550e8400-e29b-41d4-a716-446655440000" }),
  workflow_type: z.enum(WORKFLOW_TYPES).openapi({ example: "full_production" }),
  generator: z.enum(GENERATORS),
  status: z.enum(WORKFLOW_STATUSES).openapi({ example: "running" }),
  current_step: z.enum(STEP_NAMES).nullable().openapi({ example: "script_parsing" }),
  progress: z.number().min(0).max(1).openapi({ example: 0.4 }),
  error: z.string().nullable(),
  created_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
  updated_at: z.string(),
};

export const WorkflowSummarySchema = z.object(Base).openapi("WorkflowSummary");

const ItemCounts = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  processing: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});

export const WorkflowDetailSchema = z
  .object({
    ...Base,
    steps: z.array(
      z.object({
        name: z.enum(STEP_NAMES),
        status: z.enum(["pending", "running", "completed", "failed", "cancelled"]),
        started_at: z.string().nullable(),
        completed_at: z.string().nullable(),
        error: z.string().nullable(),
        items: ItemCounts.openapi({
          description: "Items of the step (characters, storyboards); 1 for single-task steps",
        }),
        provider: ProviderUsedSchema,
      }),
    ),
    credits: z
      .object({
        quoted: z.number().openapi({ description: "The quote's total at the start" }),
        reserved: z.number().openapi({ description: "What is left of the start's reservation" }),
        charged: z.number().openapi({ description: "Generation charged so far" }),
      })
      .openapi({ description: "Credits of the run's generation (the export has its own entry in /exports)" }),
    completed_at: z.string().nullable(),
    last_seq: z
      .number()
      .int()
      .openapi({ description: "Sequence number of the last progress frame (for ?last_seq= on reconnect)" }),
  })
  .openapi("WorkflowDetail");

export const WorkflowListSchema = z
  .object({ total: z.number().int(), items: z.array(WorkflowSummarySchema) })
  .openapi("WorkflowList");

export const ControlResultSchema = z
  .object({
    id: z.number().int().openapi({ example: 1 }),
    status: z.enum(WORKFLOW_STATUSES).openapi({ example: "paused" }),
    message: z.string().openapi({ example: "Workflow paused successfully" }),
  })
  .openapi("WorkflowControlResult");

export const EventsQuerySchema = z
  .object({
    token: z
      .string()
      .optional()
      .openapi({ description: "Access token or API key, for EventSource (which cannot send headers)" }),
    last_seq: z
      .string()
      .regex(/^\d{1,12}$/)
      .optional()
      .openapi({ description: "Replay frames after this one (also Last-Event-ID)" }),
  })
  .strict();
