import type { MiddlewareHandler } from "hono";
import { authenticate, bearerToken, requireScope } from "../../core/auth/principal";
import type { Principal, Scope } from "../../core/auth/types";
import { type Policy, policies, rateLimitError, requestPermits } from "../../core/rate-limits";
import { setRateLimitHeaders } from "../rate-limit-headers";
import type { AppEnv } from "./app-env";
import { contextOf } from "./context";

type PolicyName = "studioUser" | "automationCredential";

/**
 * The middleware chain of every authenticated route, on both surfaces: resolve the Bearer token
 * (JWT or API key), require one of `scopes`, then spend one permit of the surface's rate limit
 * (which also meters API calls for billing). Failures are AppErrors, rendered in the surface's
 * own format by the one onError.
 */
export function requireAuth(
  scopes: readonly Scope[],
  policyName: PolicyName,
  opts: { queryToken?: boolean } = {},
): MiddlewareHandler<AppEnv>[] {
  const auth: MiddlewareHandler<AppEnv> = async function authenticateBearer(c, next) {
    const ctx = contextOf(c);
    // Browsers' EventSource and WebSocket cannot send headers: those routes also read `?token=`.
    const fromQuery = opts.queryToken && !c.req.header("Authorization") ? c.req.query("token") : undefined;
    const principal = await authenticate(ctx, fromQuery ?? bearerToken(c.req.header("Authorization")));
    requireScope(principal, ...scopes);
    c.set("principal", principal);
    await next();
  };
  const limit: MiddlewareHandler<AppEnv> = async function rateLimit(c, next) {
    const principal = c.get("principal") as Principal;
    const ctx = contextOf(c);
    const policy: Policy = policies(ctx.config)[policyName](principal);
    const result = await requestPermits(c.env).take(policy.name, { ...policy, meter: true }, ctx.now);
    if (!result.allowed) throw rateLimitError(result, policy);
    setRateLimitHeaders(c, result, policy.windowSeconds);
    await next();
  };
  return [auth, limit];
}
