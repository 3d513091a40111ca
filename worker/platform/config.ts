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

const cache = new WeakMap<object, AppConfig>();

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === "") return fallback;
  const parsed = Number.parseInt(value, 10);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

function validTimeZone(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return value;
  } catch {
    return undefined;
  }
}

export function readConfig(env: Env): AppConfig {
  const hit = cache.get(env);
  if (hit) return hit;
  const origins = (env.CORS_ORIGINS ?? "*").trim();
  const config: AppConfig = {
    appEnv: env.APP_ENV ?? "production",
    corsOrigins:
      origins === "*"
        ? "*"
        : origins
            .split(",")
            .map((o) => o.trim())
            .filter(Boolean),
    authCacheSeconds: int(env.AUTH_CACHE_SECONDS, 5),
    jwt: {
      issuer: env.JWT_ISSUER ?? "short-drama-studio",
      audience: env.JWT_AUDIENCE ?? "short-drama-api",
      accessTtlSeconds: int(env.ACCESS_TOKEN_TTL_SECONDS, 3600),
      refreshTtlSeconds: int(env.REFRESH_TOKEN_TTL_SECONDS, 30 * 24 * 3600),
      reuseGraceSeconds: int(env.REFRESH_REUSE_GRACE_SECONDS, 10),
    },
    tasks: {
      defaultLeaseSeconds: int(env.TASK_LEASE_SECONDS, 300),
      maxLeaseSeconds: int(env.TASK_MAX_LEASE_SECONDS, 3600),
      maxAttempts: Math.max(1, int(env.TASK_MAX_ATTEMPTS, 5)),
    },
    quotaTimeZone: validTimeZone(env.QUOTA_TIME_ZONE) ?? "UTC",
    adminEmails: (env.ADMIN_EMAILS ?? "")
      .split(",")
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
    billing: { pastDueDays: int(env.BILLING_PAST_DUE_DAYS, 7) },
    publicOrigin: (env.PUBLIC_ORIGIN || "http://127.0.0.1:8787").replace(/\/+$/, ""),
    rateLimits: {
      perHourByTier: {
        free: int(env.RATE_LIMIT_FREE_PER_HOUR, 100),
        professional: int(env.RATE_LIMIT_PROFESSIONAL_PER_HOUR, 1000),
        enterprise: int(env.RATE_LIMIT_ENTERPRISE_PER_HOUR, 10000),
      },
      automationPerMinute: int(env.RATE_LIMIT_AUTOMATION_PER_MINUTE, 600),
      registerPerIpPerHour: int(env.RATE_LIMIT_REGISTER_PER_IP_PER_HOUR, 30),
      loginFailuresPerEmail: int(env.RATE_LIMIT_LOGIN_FAILURES_PER_EMAIL, 10),
      loginAttemptsPerIp: int(env.RATE_LIMIT_LOGIN_ATTEMPTS_PER_IP, 100),
      loginWindowSeconds: int(env.RATE_LIMIT_LOGIN_WINDOW_SECONDS, 900),
    },
  };
  cache.set(env, config);
  return config;
}
