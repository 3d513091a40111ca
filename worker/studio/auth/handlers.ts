import type { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import * as accounts from "../../core/auth/accounts";
import { createApiKey, listKeys, revokeKey } from "../../core/auth/api-keys";
import { login } from "../../core/auth/login";
import { quotaRemaining } from "../../core/billing/subscriptions";
import { limiter, policies, rateLimitError } from "../../core/rate-limits";
import { AppError, badRequest, forbidden } from "../../platform/errors";
import type { AppEnv } from "../../platform/http/app-env";
import { clientIp, contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { iso } from "../../platform/time";
import * as routes from "./routes";
import type { LoginFormSchema, LoginJsonSchema } from "./schemas";

function apiKeyOut(row: {
  id: string;
  name: string;
  prefix: string;
  scopes: ("studio" | "automation" | "worker" | "webhooks")[];
  createdAt: number;
  lastUsedAt: number | null;
  expiresAt: number | null;
}) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    created_at: iso(row.createdAt),
    last_used_at: iso(row.lastUsedAt),
    expires_at: iso(row.expiresAt),
  };
}

/** Credentials belong in the body; a URL ends up in logs and browser history. */
function refuseCredentialsInUrl(c: Context<AppEnv>) {
  const q = new URL(c.req.url).searchParams;
  if (["password", "username", "email", "refresh_token"].some((k) => q.has(k))) {
    throw badRequest("Credentials must be sent in the request body, never in the URL");
  }
}

export const authRouter = createRouter()
  .openapi(routes.register, async (c) => {
    refuseCredentialsInUrl(c);
    const deps = contextOf(c);
    const policy = policies(deps.config).registerIp(clientIp(c));
    const hit = await limiter(c.env).hit(policy.name, policy, "closed");
    if (!hit.allowed) throw rateLimitError(hit, policy, "Too many registrations from this address");
    const user = await accounts.register(deps, c.req.valid("json"));
    return c.json(
      { id: user.id, email: user.email, username: user.username, created_at: iso(user.createdAt) },
      200,
    );
  })
  .openapi(routes.login, async (c) => {
    refuseCredentialsInUrl(c);
    const contentType = c.req.header("Content-Type") ?? "";
    let email: string;
    let password: string;
    if (contentType.includes("application/x-www-form-urlencoded")) {
      const form = c.req.valid("form") as z.infer<typeof LoginFormSchema>;
      email = form.username;
      password = form.password;
    } else if (contentType.includes("application/json")) {
      const body = c.req.valid("json") as z.infer<typeof LoginJsonSchema>;
      email = body.email ?? body.username ?? "";
      password = body.password;
    } else {
      throw new AppError("VALIDATION_ERROR", "Request validation failed", {
        fieldErrors: [{ field: "body", message: "Send the OAuth2 form or JSON {email, password}" }],
      });
    }
    const deps = contextOf(c);
    return c.json(await login(deps, limiter(c.env), clientIp(c), email, password), 200);
  })
  .openapi(routes.refresh, async (c) => {
    refuseCredentialsInUrl(c);
    return c.json(await accounts.refresh(contextOf(c), c.req.valid("json").refresh_token), 200);
  })
  .openapi(routes.logout, async (c) => {
    await accounts.logout(contextOf(c), principalOf(c).sessionId);
    return c.json({ message: "Logged out successfully" }, 200);
  })
  .openapi(routes.me, async (c) => {
    const { user, subscription } = await accounts.me(contextOf(c), principalOf(c).userId);
    return c.json(
      {
        id: user.id,
        email: user.email,
        username: user.username,
        subscription_tier: subscription.tier,
        quota_remaining: quotaRemaining(subscription),
        created_at: iso(user.createdAt),
      },
      200,
    );
  })
  .openapi(routes.createApiKey, async (c) => {
    const principal = principalOf(c);
    if (principal.via !== "jwt")
      throw forbidden("API keys are managed with a login session, not another key");
    const body = c.req.valid("json");
    const { row, key } = await createApiKey(contextOf(c), principal.userId, {
      name: body.name,
      scopes: body.scopes,
      expiresInDays: body.expires_in_days,
    });
    return c.json({ ...apiKeyOut(row), key }, 200);
  })
  .openapi(routes.listApiKeys, async (c) => {
    const principal = principalOf(c);
    if (principal.via !== "jwt")
      throw forbidden("API keys are managed with a login session, not another key");
    const rows = await listKeys(contextOf(c), principal.userId);
    return c.json({ total: rows.length, items: rows.map(apiKeyOut) }, 200);
  })
  .openapi(routes.revokeApiKey, async (c) => {
    const principal = principalOf(c);
    if (principal.via !== "jwt")
      throw forbidden("API keys are managed with a login session, not another key");
    await revokeKey(contextOf(c), principal.userId, c.req.valid("param").key_id);
    return c.json({ message: "API key revoked" }, 200);
  });
