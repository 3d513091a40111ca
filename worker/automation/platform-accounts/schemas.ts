import { z } from "@hono/zod-openapi";
import { PLATFORM_IDS } from "../../platform/platform-ids";
import { JsonObject, Pagination } from "../common";

const Platform = z.enum(PLATFORM_IDS).openapi({ example: "dreamina" });
const Status = z.enum(["active", "inactive"]);
const Credentials = z
  .record(z.string().min(1).max(100), z.string().max(4096))
  .refine((o) => Object.keys(o).length >= 1 && Object.keys(o).length <= 20, {
    error: "Send 1 to 20 credential fields",
  })
  .openapi({
    example: { api_key: "string", secret: "string" },
    description: "Encrypted at rest; never shown again",
  });

export const CreateAccountSchema = z
  .object({
    platform: Platform,
    name: z.string().trim().min(1).max(200).openapi({ example: "dreamina_account_1" }),
    credentials: Credentials,
    status: Status.default("active"),
    daily_limit: z.number().int().min(0).max(1_000_000).default(100),
  })
  .strict()
  .openapi("CreatePlatformAccountRequest");

export const UpdateAccountSchema = z
  .object({
    platform: Platform.optional(),
    name: z.string().trim().min(1).max(200).optional(),
    credentials: Credentials.optional(),
    status: Status.optional(),
    daily_limit: z.number().int().min(0).max(1_000_000).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { error: "Send at least one field to update" })
  .openapi("UpdatePlatformAccountRequest");

export const ResetUsageSchema = z
  .object({ used_today: z.number().int().min(0).max(1_000_000).default(0) })
  .strict()
  .openapi("ResetUsageRequest", { example: { used_today: 0 } });

export const ListAccountsQuery = z
  .object({ ...Pagination, platform: Platform.optional(), status: Status.optional() })
  .strict();

export const PlatformParams = z.object({
  platform: Platform.openapi({ param: { name: "platform", in: "path" } }),
});

export const AccountSchema = z
  .object({
    id: z.number().int(),
    platform: z.string(),
    name: z.string(),
    credentials: z.record(z.string(), z.string()).openapi({ example: { api_key: "***masked***" } }),
    status: z.string(),
    daily_limit: z.number().int(),
    used_today: z.number().int(),
    last_used_at: z.string().nullable(),
    is_available: z.boolean(),
    remaining_quota: z.number().int(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi("PlatformAccount");

export const LeaseSchema = AccountSchema.extend({
  credentials: JsonObject.openapi({ description: "Decrypted credentials: returned only by a lease" }),
  resets_in_seconds: z.number().int(),
}).openapi("PlatformAccountLease");
