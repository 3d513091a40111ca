import { z } from "zod";

/** Typed view of the `[vars]` in wrangler.toml; every limit can be changed per environment. */
export interface AppConfig {
  appEnv: string;
  corsOrigins: string[] | "*";
  /** How long one isolate may reuse a resolved token (see core/auth/principal-cache.ts). */
  authCacheSeconds: number;
  jwt: {
    issuer: string;
    audience: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    reuseGraceSeconds: number;
  };
  tasks: {
    defaultLeaseSeconds: number;
    maxLeaseSeconds: number;
    /** Claims a task gets before an expired lease fails it instead of requeueing it. */
    maxAttempts: number;
  };
  /** IANA time zone whose midnight resets platform-account daily quotas. */
  quotaTimeZone: string;
  /** Lower-cased addresses whose logged-in users hold the `admin` scope (operator endpoints). */
  adminEmails: readonly string[];
  billing: {
    /** Days an issued invoice may stay unpaid before its account is past due (dunning). */
    pastDueDays: number;
  };
  /**
   * The origin of this API for links made outside a request (signed file URLs and upload URLs the
   * renderer fetches, callbacks handed out by background jobs); no trailing slash.
   */
  publicOrigin: string;
  rateLimits: {
    /** Keyed by the subscription tiers (core/billing/tiers.ts): a new tier fails typecheck there. */
    perHourByTier: { free: number; professional: number; enterprise: number };
    automationPerMinute: number;
    registerPerIpPerHour: number;
    loginFailuresPerEmail: number;
    loginAttemptsPerIp: number;
    loginWindowSeconds: number;
  };
}

/** A whole number ≥ 0; unset, empty or malformed falls back to the documented default. */
const whole = (fallback: number) =>
  z
    .preprocess(
      (v) => (typeof v === "string" && v.trim() === "" ? undefined : v),
      z.coerce.number().int().min(0),
    )
    .catch(fallback);

const text = (fallback: string) => z.string().catch(fallback);

const timeZone = z
  .string()
  .refine((value) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: value });
      return true;
    } catch {
      return false;
    }
  })
  .catch("UTC");

/** The `[vars]` this config reads, parsed once per set of bindings. */
const VarsSchema = z.object({
  APP_ENV: text("production"),
  CORS_ORIGINS: text("*"),
  AUTH_CACHE_SECONDS: whole(5),
  JWT_ISSUER: text("short-drama-studio"),
  JWT_AUDIENCE: text("short-drama-api"),
  ACCESS_TOKEN_TTL_SECONDS: whole(3600),
  REFRESH_TOKEN_TTL_SECONDS: whole(30 * 24 * 3600),
  REFRESH_REUSE_GRACE_SECONDS: whole(10),
  TASK_LEASE_SECONDS: whole(300),
  TASK_MAX_LEASE_SECONDS: whole(3600),
  TASK_MAX_ATTEMPTS: whole(5),
  QUOTA_TIME_ZONE: timeZone,
  ADMIN_EMAILS: text(""),
  BILLING_PAST_DUE_DAYS: whole(7),
  PUBLIC_ORIGIN: z
    .string()
    .min(1)
    .catch("http://127.0.0.1:8787")
    .transform((o) => o.replace(/\/+$/, "")),
  RATE_LIMIT_FREE_PER_HOUR: whole(100),
  RATE_LIMIT_PROFESSIONAL_PER_HOUR: whole(1000),
  RATE_LIMIT_ENTERPRISE_PER_HOUR: whole(10000),
  RATE_LIMIT_AUTOMATION_PER_MINUTE: whole(600),
  RATE_LIMIT_REGISTER_PER_IP_PER_HOUR: whole(30),
  RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL: whole(10),
  RATE_LIMIT_LOGIN_ATTEMPTS_PER_IP: whole(100),
  RATE_LIMIT_LOGIN_WINDOW_SECONDS: whole(900),
});

const cache = new WeakMap<object, AppConfig>();

export function readConfig(env: Env): AppConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const v = VarsSchema.parse(env);
  const origins = v.CORS_ORIGINS.trim();
  const config: AppConfig = {
    appEnv: v.APP_ENV,
    corsOrigins:
      origins === "*"
        ? "*"
        : origins
            .split(",")
            .map((o) => o.trim())
            .filter(Boolean),
    authCacheSeconds: v.AUTH_CACHE_SECONDS,
    jwt: {
      issuer: v.JWT_ISSUER,
      audience: v.JWT_AUDIENCE,
      accessTtlSeconds: v.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: v.REFRESH_TOKEN_TTL_SECONDS,
      reuseGraceSeconds: v.REFRESH_REUSE_GRACE_SECONDS,
    },
    tasks: {
      defaultLeaseSeconds: v.TASK_LEASE_SECONDS,
      maxLeaseSeconds: v.TASK_MAX_LEASE_SECONDS,
      maxAttempts: Math.max(1, v.TASK_MAX_ATTEMPTS),
    },
    quotaTimeZone: v.QUOTA_TIME_ZONE,
    adminEmails: v.ADMIN_EMAILS.split(",")
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
    billing: { pastDueDays: v.BILLING_PAST_DUE_DAYS },
    publicOrigin: v.PUBLIC_ORIGIN,
    rateLimits: {
      perHourByTier: {
        free: v.RATE_LIMIT_FREE_PER_HOUR,
        professional: v.RATE_LIMIT_PROFESSIONAL_PER_HOUR,
        enterprise: v.RATE_LIMIT_ENTERPRISE_PER_HOUR,
      },
      automationPerMinute: v.RATE_LIMIT_AUTOMATION_PER_MINUTE,
      registerPerIpPerHour: v.RATE_LIMIT_REGISTER_PER_IP_PER_HOUR,
      loginFailuresPerEmail: v.RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL,
      loginAttemptsPerIp: v.RATE_LIMIT_LOGIN_ATTEMPTS_PER_IP,
      loginWindowSeconds: v.RATE_LIMIT_LOGIN_WINDOW_SECONDS,
    },
  };
  cache.set(env, config);
  return config;
}
