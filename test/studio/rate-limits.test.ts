import { abortAllDurableObjects, evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RateLimiter } from "../../durable-objects/rate-limiter/rate-limiter";
import { principalCache } from "../../worker/core/auth/principal-cache";
import { readConfig } from "../../worker/platform/config";
import { call, expectStudioError, newUser, uniqueIp } from "../helpers/http";

function limiterStub(name: string) {
  return env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name));
}

const EMAIL_WINDOW = { limit: 10, windowSeconds: 900 };

async function waitFor(pred: () => Promise<boolean>) {
  for (let i = 0; i < 200 && !(await pred()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await pred()).toBe(true);
}

describe("per-user hourly limit by tier", () => {
  it("admits exactly the free tier's 100 of 105 concurrent requests, then 429 with Retry-After", async () => {
    const user = await newUser();
    const results = await Promise.all(
      Array.from({ length: 105 }, () => call("GET", "/api/v1/projects", { token: user.token })),
    );
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(100);
    expect(limited).toHaveLength(5);
    for (const res of limited) {
      const body = expectStudioError(res, 429, "RATE_LIMIT_EXCEEDED");
      expect(body.detail).toBe("Rate limit exceeded");
      const retryAfter = Number(res.headers.get("Retry-After"));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600).toBe(true);
      expect(res.body.retry_after).toBe(retryAfter);
      expect(res.headers.get("RateLimit-Limit")).toBe("100");
      expect(res.headers.get("RateLimit-Remaining")).toBe("0");
      expect(res.headers.get("RateLimit-Policy")).toBe("100;w=3600");
    }
    const remaining = ok.map((r) => Number(r.headers.get("RateLimit-Remaining"))).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("keeps counting after the Durable Object is evicted or reset", async () => {
    const user = await newUser();
    await Promise.all(
      Array.from({ length: 100 }, () => call("GET", "/api/v1/auth/me", { token: user.token })),
    );
    const stub = limiterStub(`studio:user:${user.id}`);
    await evictDurableObject(stub);
    expectStudioError(
      await call("GET", "/api/v1/auth/me", { token: user.token }),
      429,
      "RATE_LIMIT_EXCEEDED",
    );
    // A hard reset (abort, as after a crash) loses memory too; SQLite storage brings the count back.
    await abortAllDurableObjects();
    expectStudioError(
      await call("GET", "/api/v1/auth/me", { token: user.token }),
      429,
      "RATE_LIMIT_EXCEEDED",
    );
    // Stubs made before an abort stay broken; a new one reaches the restarted object.
    const stored = await runInDurableObject(
      limiterStub(`studio:user:${user.id}`),
      (_instance: RateLimiter, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT SUM(count) AS n FROM hits").one().n,
    );
    expect(stored).toBe(100);
  });

  it("limits users independently and follows the tier", async () => {
    const a = await newUser();
    const b = await newUser();
    await Promise.all(Array.from({ length: 100 }, () => call("GET", "/api/v1/auth/me", { token: a.token })));
    expectStudioError(await call("GET", "/api/v1/auth/me", { token: a.token }), 429, "RATE_LIMIT_EXCEEDED");
    const other = await call("GET", "/api/v1/auth/me", { token: b.token });
    expect(other.status).toBe(200);
    // Tier changes through the API evict cached credentials; a direct D1 edit has to do it itself.
    await env.DB.prepare("UPDATE subscriptions SET tier = 'professional' WHERE user_id = ?").bind(b.id).run();
    principalCache.evictUser(b.id);
    const pro = await call("GET", "/api/v1/auth/me", { token: b.token });
    expect(pro.headers.get("RateLimit-Limit")).toBe("1000");
    // The permits leased under the old limit (at most 1/20 of it) stay counted until the window rolls.
    expect(Number(pro.headers.get("RateLimit-Remaining"))).toBeGreaterThanOrEqual(1000 - 2 - 5);
    await env.DB.prepare("UPDATE subscriptions SET tier = 'enterprise' WHERE user_id = ?").bind(b.id).run();
    principalCache.evictUser(b.id);
    const ent = await call("GET", "/api/v1/auth/me", { token: b.token });
    expect(ent.headers.get("RateLimit-Limit")).toBe("10000");
  });

  it("does not count health, docs or public auth routes", async () => {
    const user = await newUser();
    for (let i = 0; i < 3; i++) {
      expect((await call("GET", "/health", { token: user.token })).status).toBe(200);
      expect((await call("GET", "/api/openapi.json", { token: user.token })).status).toBe(200);
    }
    const me = await call("GET", "/api/v1/auth/me", { token: user.token });
    expect(me.headers.get("RateLimit-Remaining")).toBe("99");
  });
});

describe("RateLimiter sliding window", () => {
  it("admits again once the oldest hits leave the window, and reports when", async () => {
    const stub = limiterStub(`test:${crypto.randomUUID()}`);
    const t0 = 1_800_000_000_000;
    for (let i = 0; i < 3; i++) {
      expect((await stub.hit({ limit: 3, windowSeconds: 60, now: t0 + i * 10_000 })).allowed).toBe(true);
    }
    const denied = await stub.hit({ limit: 3, windowSeconds: 60, now: t0 + 30_000 });
    expect(denied).toMatchObject({ allowed: false, remaining: 0, retryAfterSeconds: 30 });
    expect((await stub.hit({ limit: 3, windowSeconds: 60, now: t0 + 59_000 })).allowed).toBe(false);
    const later = await stub.hit({ limit: 3, windowSeconds: 60, now: t0 + 60_000 });
    expect(later).toMatchObject({ allowed: true, remaining: 0 });
    const muchLater = await stub.hit({ limit: 3, windowSeconds: 60, now: t0 + 600_000 });
    expect(muchLater).toMatchObject({ allowed: true, remaining: 2, resetSeconds: 60 });
  });

  it("peek and record count failures without admitting, and clear forgets them", async () => {
    const stub = limiterStub(`test:${crypto.randomUUID()}`);
    for (let i = 0; i < 2; i++) await stub.record({ limit: 2, windowSeconds: 60 });
    expect((await stub.peek({ limit: 2, windowSeconds: 60 })).allowed).toBe(false);
    await stub.clear();
    expect((await stub.peek({ limit: 2, windowSeconds: 60 })).allowed).toBe(true);
  });

  it("meters allowed hits per day for billing", async () => {
    const stub = limiterStub(`test:${crypto.randomUUID()}`);
    const day = Date.UTC(2026, 1, 8, 10);
    for (let i = 0; i < 4; i++) await stub.hit({ limit: 3, windowSeconds: 60, now: day, meter: true });
    expect(await stub.usage("2026-02-01", "2026-02-28")).toEqual([{ day: "2026-02-08", count: 3 }]);
  });
});

describe("brute-force guards", () => {
  it("locks an account after 10 failed logins, even for the right password, but not other accounts", async () => {
    const user = await newUser();
    const other = await newUser();
    for (let i = 0; i < 10; i++) {
      const res = await call("POST", "/api/v1/auth/login", {
        form: { username: user.email, password: `Wrong${i}pass!` },
      });
      expectStudioError(res, 401, "UNAUTHORIZED");
    }
    const locked = await call("POST", "/api/v1/auth/login", {
      form: { username: user.email, password: user.password },
    });
    expectStudioError(locked, 429, "RATE_LIMIT_EXCEEDED");
    expect(Number(locked.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
    expect(locked.headers.get("RateLimit-Policy")).toBe("10;w=900");
    const fine = await call("POST", "/api/v1/auth/login", {
      form: { username: other.email, password: other.password },
    });
    expect(fine.status).toBe(200);
  });

  it("checks at most 10 passwords of 30 parallel wrong guesses; a success afterwards forgives", async () => {
    const user = await newUser();
    const ip = uniqueIp();
    const guesses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call("POST", "/api/v1/auth/login", {
          form: { username: user.email, password: `Guess${i}pass!` },
          ip,
        }),
      ),
    );
    // A 401 is a password that was checked (and wrong); a 429 one refused before any check.
    const checked = guesses.filter((r) => r.status === 401);
    const refused = guesses.filter((r) => r.status === 429);
    expect(checked).toHaveLength(10);
    expect(refused).toHaveLength(20);
    for (const res of refused) expectStudioError(res, 429, "RATE_LIMIT_EXCEEDED");
    const next = await call("POST", "/api/v1/auth/login", {
      form: { username: user.email, password: user.password },
      ip,
    });
    expectStudioError(next, 429, "RATE_LIMIT_EXCEEDED");

    // Under the limit, a correct password gives its reserved attempt back with the failures.
    const other = await newUser();
    for (let i = 0; i < 9; i++) {
      const res = await call("POST", "/api/v1/auth/login", {
        form: { username: other.email, password: `Wrong${i}pass!` },
      });
      expectStudioError(res, 401, "UNAUTHORIZED");
    }
    const right = await call("POST", "/api/v1/auth/login", {
      form: { username: other.email, password: other.password },
    });
    expect(right.status).toBe(200);
    await waitFor(
      async () => (await limiterStub(`login:email:${other.email}`).peek(EMAIL_WINDOW)).remaining === 10,
    );
  });

  it("limits login attempts per client address", async () => {
    const ip = uniqueIp();
    const results = [];
    for (let i = 0; i < 101; i++) {
      results.push(
        await call("POST", "/api/v1/auth/login", {
          form: { username: `spray-${i}@example.com`, password: "Password123!" },
          ip,
        }),
      );
    }
    expect(results.slice(0, 100).every((r) => r.status === 401)).toBe(true);
    expectStudioError(results[100] ?? results[0]!, 429, "RATE_LIMIT_EXCEEDED");
  });

  it("limits registrations per client address to 30 an hour", async () => {
    const ip = uniqueIp();
    const statuses = [];
    for (let i = 0; i < 31; i++) {
      const res = await call("POST", "/api/v1/auth/register", {
        json: {
          email: `bulk-${crypto.randomUUID()}@example.com`,
          password: "Password123!",
          username: "bulk",
        },
        ip,
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(30);
    expect(statuses[30]).toBe(429);
  });
});

describe("configuration", () => {
  it("pins the documented defaults when nothing is configured", () => {
    const config = readConfig({} as Env);
    expect(config.rateLimits).toEqual({
      perHourByTier: { free: 100, professional: 1000, enterprise: 10000 },
      automationPerMinute: 600,
      registerPerIpPerHour: 30,
      loginFailuresPerEmail: 10,
      loginAttemptsPerIp: 100,
      loginWindowSeconds: 900,
    });
    expect(config.jwt).toMatchObject({
      accessTtlSeconds: 3600,
      refreshTtlSeconds: 2_592_000,
      reuseGraceSeconds: 10,
    });
    expect(config).toMatchObject({ quotaTimeZone: "UTC", publicOrigin: "http://127.0.0.1:8787" });
  });

  it("parses the variables, and an empty or malformed one keeps its default", () => {
    const config = readConfig({
      RATE_LIMIT_FREE_PER_HOUR: " 250 ",
      RATE_LIMIT_PROFESSIONAL_PER_HOUR: "",
      RATE_LIMIT_ENTERPRISE_PER_HOUR: "lots",
      TASK_MAX_ATTEMPTS: "0",
      TASK_LEASE_SECONDS: "-5",
      QUOTA_TIME_ZONE: "Asia/Shanghai",
      PUBLIC_ORIGIN: "https://api.example.com//",
      CORS_ORIGINS: "https://a.example, https://b.example",
    } as unknown as Env);
    expect(config.rateLimits.perHourByTier).toEqual({ free: 250, professional: 1000, enterprise: 10000 });
    // At least one claim per task, whatever is configured.
    expect(config.tasks).toMatchObject({ maxAttempts: 1, defaultLeaseSeconds: 300 });
    expect(config).toMatchObject({
      quotaTimeZone: "Asia/Shanghai",
      publicOrigin: "https://api.example.com",
      corsOrigins: ["https://a.example", "https://b.example"],
    });
    expect(readConfig({ QUOTA_TIME_ZONE: "Mars/Olympus" } as unknown as Env).quotaTimeZone).toBe("UTC");
  });
});
