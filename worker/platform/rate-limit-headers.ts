import type { Context } from "hono";

/** What a rate-limit decision reports (the RateLimiter object's answer has this shape). */
interface LimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/** RateLimit-* headers (draft-ietf-httpapi-ratelimit-headers) describing one policy. */
export function rateLimitHeaders(result: LimitState, windowSeconds: number): Record<string, string> {
  return {
    "RateLimit-Limit": String(result.limit),
    "RateLimit-Remaining": String(result.remaining),
    "RateLimit-Reset": String(result.resetSeconds),
    "RateLimit-Policy": `${result.limit};w=${windowSeconds}`,
  };
}

export function setRateLimitHeaders(c: Context, result: LimitState, windowSeconds: number): void {
  for (const [k, v] of Object.entries(rateLimitHeaders(result, windowSeconds))) c.header(k, v);
}
