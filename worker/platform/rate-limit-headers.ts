import type { Context } from "hono";
import type { HitResult } from "../../durable-objects/rate-limiter/interface";

/** RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers) describing one policy. */
export function rateLimitHeaders(result: HitResult, windowSeconds: number): Record<string, string> {
  return {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(result.resetSeconds),
    "RateLimit-Policy": `${result.limit};w=${windowSeconds}`,
  };
}

export function setRateLimitHeaders(c: Context, result: HitResult, windowSeconds: number): void {
  for (const [k, v] of Object.entries(rateLimitHeaders(result, windowSeconds))) c.header(k, v);
}
