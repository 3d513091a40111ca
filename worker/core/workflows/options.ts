import { z } from "zod";
import { CARD_STYLES, OUTPUT_FORMATS, RESOLUTIONS } from "../../../contracts/render-spec";

/** A provider for a kind of step: a platform of GET /api/v1/providers, and one of its models. */
const ProviderOptionSchema = z
  .object({
    platform: z.string().min(1).max(40).describe("A platform of GET /api/v1/providers, or builtin"),
    model: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("One of the platform's models (default: its default)"),
  })
  .strict();

/** What a workflow can be told beyond its type; stored with it and read by its steps. */
export const WorkflowOptionsSchema = z
  .object({
    style: z.enum(CARD_STYLES).optional().describe("Card style of generated images (default cinematic)"),
    resolution: z
      .enum(RESOLUTIONS)
      .optional()
      .describe("Export resolution of video_rendering (default 720p)"),
    format: z.enum(OUTPUT_FORMATS).optional(),
    include_subtitles: z.boolean().optional(),
    regenerate_images: z
      .boolean()
      .optional()
      .describe(
        "Redraw images that exist already (by default only missing ones are generated; uploads are never replaced)",
      ),
    max_parallel: z.number().int().min(1).max(16).optional().describe("Items generated at once (default 4)"),
    llm: ProviderOptionSchema.optional().describe(
      "The LLM of script_parsing (default: your generation config, else Workers AI when bound, else the built-in parser)",
    ),
    image: ProviderOptionSchema.extend({
      takes: z
        .number()
        .int()
        .min(1)
        .max(4)
        .optional()
        .describe(
          "Candidates drawn per storyboard; the best by consistency score is kept, the rest stored (default 1)",
        ),
    })
      .optional()
      .describe(
        "The image provider of character_generation and storyboard_generation (default: your generation config, else Workers AI when bound, else the built-in cards)",
      ),
    max_credits: z
      .number()
      .min(0)
      .max(1_000_000)
      .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, { message: "at most two decimals" })
      .optional()
      .describe(
        "Caps what the run's generation may charge: it pauses with a reason before an item would pass it",
      ),
  })
  .strict();
export type WorkflowOptions = z.infer<typeof WorkflowOptionsSchema>;

export function readOptions(raw: unknown): WorkflowOptions {
  const parsed = WorkflowOptionsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data : {};
}

/** Who makes a workflow's images: the renderer's cards, or external workers claiming item tasks. */
export const GENERATORS = ["builtin", "external"] as const;
export type Generator = (typeof GENERATORS)[number];
