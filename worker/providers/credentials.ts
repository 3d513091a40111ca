import { z } from "zod";
import { assertPublicHttpUrl } from "../platform/url-guard";
import type { PlatformId } from "./platforms";

/** Platform-account credentials: one zod schema per platform (providers/platforms.ts). */

const secret = z.string().trim().min(8, "looks too short for a key").max(4096);
const optionalText = z.string().trim().min(1).max(200).optional();

function baseUrlField(allowPrivate: boolean, required: boolean) {
  const field = z
    .string()
    .trim()
    .max(500)
    .superRefine((value, ctx) => {
      try {
        assertPublicHttpUrl(value, { allowPrivate });
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          message: error instanceof Error ? error.message : "not an allowed URL",
        });
      }
    });
  return required ? field : field.optional();
}

/**
 * The zod schema that validates a platform account's credentials for this platform (on create
 * and update). base_url passes the SSRF guard; only local development allows private hosts.
 */
export function credentialsSchema(platform: PlatformId, opts: { allowPrivateBaseUrls?: boolean } = {}) {
  const allowPrivate = opts.allowPrivateBaseUrls === true;
  const apiKey = { api_key: secret };
  switch (platform) {
    case "midjourney":
      return z.record(z.string(), z.string());
    case "workers_ai":
      return z.object({ gateway_id: optionalText }).strict();
    case "openai":
      return z
        .object({ ...apiKey, base_url: baseUrlField(allowPrivate, false), organization: optionalText })
        .strict();
    case "openai_compatible":
      return z
        .object({
          api_key: z.string().trim().max(4096).optional(),
          base_url: baseUrlField(allowPrivate, true),
          structured_outputs: z.enum(["true", "false"]).optional(),
        })
        .strict();
    case "kling":
      return z
        .object({
          access_key: secret,
          secret_key: secret,
          base_url: baseUrlField(allowPrivate, false),
          mode: z.enum(["std", "pro"]).optional(),
        })
        .strict();
    case "minimax":
      return z
        .object({ ...apiKey, group_id: optionalText, base_url: baseUrlField(allowPrivate, false) })
        .strict();
    default:
      return z.object({ ...apiKey, base_url: baseUrlField(allowPrivate, false) }).strict();
  }
}
