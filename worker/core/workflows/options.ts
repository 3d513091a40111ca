import { z } from "zod";
import { CARD_STYLES, OUTPUT_FORMATS, RESOLUTIONS } from "../../../contracts/render-spec";

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
