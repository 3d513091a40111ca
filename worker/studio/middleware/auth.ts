import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../app-env";
import { authenticate, bearerToken, requireScope } from "../../core/auth/principal";
import { tokenSecrets } from "../../core/auth/tokens";
import { policies, rateLimitError, requestPermits } from "../../core/rate-limits";
import { servicesOf } from "../../platform/context";
import { setRateLimitHeaders } from "../../platform/rate-limit-headers";

/** Resolves the Bearer token and requires the `studio` scope. */
export const studioAuth: MiddlewareHandler<AppEnv> = async function studioAuth(c, next) {
  const s = servicesOf(c);
  const principal = await authenticate(
    { db: s.db, config: s.config, secrets: tokenSecrets(c.env), now: s.now, defer: s.defer },
    bearerToken(c.req.header("Authorization")),
  );
  requireScope(principal, "studio");
  c.set("principal", principal);
  await next();
};

/** The seed's per-user hourly limit by tier; also meters API calls for billing. */
export const studioRateLimit: MiddlewareHandler<AppEnv> = async function studioRateLimit(c, next) {
  const principal = c.get("principal");
  if (!principal) return next();
  const s = servicesOf(c);
  const policy = policies(s.config).studioUser(principal);
  const result = await requestPermits(c.env).take(policy.name, { ...policy, meter: true }, s.now);
  if (!result.allowed) throw rateLimitError(result, policy);
  setRateLimitHeaders(c, result, policy.windowSeconds);
  await next();
};

/** The middleware chain of every authenticated studio route. */
export const studioUser = [studioAuth, studioRateLimit];
