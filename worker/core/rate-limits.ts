import { RateLimiterClient } from "../../durable-objects/rate-limiter/client";
import type { HitResult } from "../../durable-objects/rate-limiter/interface";
import { LeasedPermits } from "../../durable-objects/rate-limiter/permits";
import type { AppConfig } from "../platform/config";
import { AppError } from "../platform/errors";
import { rateLimitHeaders } from "../platform/rate-limit-headers";
import type { Principal } from "./auth/types";

/** Every rate-limit policy of the product, named once, with its window and limit from config. */
export function policies(config: AppConfig) {
  const rl = config.rateLimits;
  return {
    studioUser: (p: Principal) => ({
      name: `studio:user:${p.userId}`,
      limit: rl.perHourByTier[p.tier],
      windowSeconds: 3600,
    }),
    automationCredential: (p: Principal) => ({
      name: `automation:${p.apiKeyId ? `key:${p.apiKeyId}` : `user:${p.userId}`}`,
      limit: rl.automationPerMinute,
      windowSeconds: 60,
    }),
    registerIp: (ip: string) => ({
      name: `register:ip:${ip}`,
      limit: rl.registerPerIpPerHour,
      windowSeconds: 3600,
    }),
    loginIp: (ip: string) => ({
      name: `login:ip:${ip}`,
      limit: rl.loginAttemptsPerIp,
      windowSeconds: rl.loginWindowSeconds,
    }),
    loginEmail: (email: string) => ({
      name: `login:email:${email}`,
      limit: rl.loginFailuresPerEmail,
      windowSeconds: rl.loginWindowSeconds,
    }),
  };
}

export type Policy = { name: string; limit: number; windowSeconds: number };

export function rateLimitError(result: HitResult, policy: Policy, detail = "Rate limit exceeded"): AppError {
  return new AppError("RATE_LIMIT_EXCEEDED", detail, {
    retryAfter: Math.max(1, result.retryAfterSeconds),
    headers: rateLimitHeaders(result, policy.windowSeconds),
  });
}

export function limiter(env: Env): RateLimiterClient {
  return new RateLimiterClient(env.RATE_LIMITER);
}

const permitsByNamespace = new WeakMap<object, LeasedPermits>();

/** Per-request limits (studio and automation API) spend leased permits; see LeasedPermits. */
export function requestPermits(env: Env): LeasedPermits {
  let permits = permitsByNamespace.get(env.RATE_LIMITER);
  if (!permits) {
    permits = new LeasedPermits(limiter(env));
    permitsByNamespace.set(env.RATE_LIMITER, permits);
  }
  return permits;
}
