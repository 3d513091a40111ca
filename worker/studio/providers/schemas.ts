import { z } from "@hono/zod-openapi";

export const ProviderListSchema = z
  .object({
    items: z.array(
      z.object({
        platform: z.string().openapi({ example: "openai" }),
        name: z.string().openapi({ example: "OpenAI" }),
        kinds: z.array(z.enum(["llm", "image", "tts", "video"])),
        generated_here: z.array(z.enum(["llm", "image", "tts", "video"])).openapi({
          description:
            "Kinds the studio's workflows call this platform for today (image; llm, tts, video next)",
        }),
        reachable: z.boolean().openapi({
          description:
            "Whether this deployment can call it: Workers AI when the AI binding is there; vendors are not probed",
        }),
        external_only: z
          .boolean()
          .openapi({ description: "No public API (Midjourney): external workers only" }),
        accepts_reference_images: z.boolean(),
        credential_fields: z.array(
          z.object({ name: z.string(), required: z.boolean(), description: z.string() }),
        ),
        models: z.array(
          z.object({
            kind: z.enum(["llm", "image", "tts", "video"]),
            model: z.string().openapi({ example: "gpt-image-1" }),
            default: z.boolean(),
            unit: z.enum(["llm_1k_tokens", "image", "tts_1k_chars", "video_second"]),
            price: z.number().openapi({ example: 0.5, description: "Credits per unit" }),
          }),
        ),
        notes: z.string().nullable(),
      }),
    ),
    builtin: z.object({
      description: z.string(),
      price: z.literal(0),
    }),
  })
  .openapi("ProviderList");
