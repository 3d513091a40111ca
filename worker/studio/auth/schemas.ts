import { z } from "@hono/zod-openapi";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "../../core/auth/passwords";
import { API_KEY_SCOPES } from "../../db/schema/studio";

const Email = z.email({ error: "Must be a valid email address" }).max(254);

export const RegisterBodySchema = z
  .object({
    email: Email.openapi({ example: "user@example.com" }),
    password: z
      .string()
      .min(PASSWORD_MIN_LENGTH, { error: `Password must be at least ${PASSWORD_MIN_LENGTH} characters` })
      .max(PASSWORD_MAX_LENGTH, { error: `Password must be at most ${PASSWORD_MAX_LENGTH} characters` })
      .openapi({ example: "SecurePassword123!" }),
    username: z.string().trim().min(1).max(64).openapi({ example: "johndoe" }),
  })
  .strict()
  .openapi("RegisterRequest");

export const UserSchema = z
  .object({
    id: z.number().int().openapi({ example: 1 }),
    email: z.string().openapi({ example: "user@example.com" }),
    username: z.string().openapi({ example: "johndoe" }),
    created_at: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
  })
  .openapi("User");

export const MeSchema = UserSchema.extend({
  subscription_tier: z.enum(["free", "professional", "enterprise"]).openapi({ example: "professional" }),
  quota_remaining: z.number().openapi({ example: 1000 }),
}).openapi("CurrentUser");

const LoginPassword = z.string().min(1).max(PASSWORD_MAX_LENGTH);

/** The OAuth2 password form: `username` holds the email. */
export const LoginFormSchema = z
  .object({
    username: z.string().min(1).max(254).openapi({ example: "user@example.com" }),
    password: LoginPassword.openapi({ example: "SecurePassword123!" }),
    grant_type: z.literal("password").optional(),
    scope: z.string().max(200).optional(),
    client_id: z.string().max(200).optional(),
    client_secret: z.string().max(200).optional(),
  })
  .strict()
  .openapi("LoginForm");

export const LoginJsonSchema = z
  .object({
    email: z.string().min(1).max(254).optional().openapi({ example: "user@example.com" }),
    username: z
      .string()
      .min(1)
      .max(254)
      .optional()
      .openapi({ description: "Accepted as the email, as in the form" }),
    password: LoginPassword.openapi({ example: "SecurePassword123!" }),
  })
  .strict()
  .refine((b) => b.email !== undefined || b.username !== undefined, {
    error: "email is required",
    path: ["email"],
  })
  .openapi("LoginJson");

export const TokenPairSchema = z
  .object({
    access_token: z.string().openapi({ example: "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..." }),
    token_type: z.literal("bearer"),
    expires_in: z.number().int().openapi({ example: 3600 }),
    refresh_token: z.string().openapi({ example: "rt_3q2-9f..." }),
  })
  .openapi("TokenPair");

export const RefreshBodySchema = z
  .object({ refresh_token: z.string().min(1).max(256) })
  .strict()
  .openapi("RefreshRequest", { example: { refresh_token: "rt_3q2+7w9XkLp0aZb4Yc8dVe1fGh5iJk6" } });

export const MessageSchema = z
  .object({ message: z.string() })
  .openapi("Message", { example: { message: "Project deleted successfully" } });

export const ApiKeyScopeSchema = z.enum(API_KEY_SCOPES).openapi({
  description:
    "studio: the /api/v1 API; automation: the automation API; worker: task claims and updates; webhooks: n8n callbacks",
});

export const CreateApiKeyBodySchema = z
  .object({
    name: z.string().trim().min(1).max(100).openapi({ example: "n8n production" }),
    scopes: z.array(ApiKeyScopeSchema).min(1).max(4).default(["studio"]),
    expires_in_days: z.number().int().min(1).max(3650).optional(),
  })
  .strict()
  .openapi("CreateApiKeyRequest");

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ example: "key_Yb3k9w0q1xZ2" }),
    name: z.string(),
    prefix: z.string().openapi({ example: "sds_Qm3f8a1b" }),
    scopes: z.array(ApiKeyScopeSchema),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
  })
  .openapi("ApiKey");

export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: "The secret key. Shown once; store it now." }),
}).openapi("CreatedApiKey");

export const ApiKeyListSchema = z
  .object({ total: z.number().int(), items: z.array(ApiKeySchema) })
  .openapi("ApiKeyList");

export const ApiKeyIdParamSchema = z.object({
  key_id: z
    .string()
    .regex(/^key_[A-Za-z0-9_-]{1,64}$/)
    .openapi({ param: { name: "key_id", in: "path" }, example: "key_Yb3k9w0q1xZ2" }),
});
