import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RateLimiterClient } from "../../durable-objects/rate-limiter/client";
import { LeasedPermits } from "../../durable-objects/rate-limiter/permits";
import { PrincipalCache } from "../../worker/core/auth/principal-cache";

describe("LeasedPermits", () => {
  it("admits exactly the limit across concurrent takes, with far fewer object calls than requests", async () => {
    const client = new RateLimiterClient(env.RATE_LIMITER);
    let calls = 0;
    const counting = Object.assign(Object.create(client), {
      acquire: (...args: Parameters<RateLimiterClient["acquire"]>) => {
        calls++;
        return client.acquire(...args);
      },
    }) as RateLimiterClient;
    const permits = new LeasedPermits(counting);
    const name = `test:${crypto.randomUUID()}`;
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 1100 }, () => permits.take(name, { limit: 1000, windowSeconds: 3600 }, now)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(1000);
    expect(results.filter((r) => !r.allowed).every((r) => r.retryAfterSeconds >= 1)).toBe(true);
    expect(calls).toBeLessThan(200);
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name));
    expect((await stub.peek({ limit: 1000, windowSeconds: 3600 })).remaining).toBe(0);
  });

  it("two isolates sharing one object never admit more than the limit together", async () => {
    const name = `test:${crypto.randomUUID()}`;
    const a = new LeasedPermits(new RateLimiterClient(env.RATE_LIMITER));
    const b = new LeasedPermits(new RateLimiterClient(env.RATE_LIMITER));
    const now = Date.now();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        (i % 2 ? a : b).take(name, { limit: 200, windowSeconds: 60 }, now),
      ),
    );
    const admitted = results.filter((r) => r.allowed).length;
    expect(admitted).toBeLessThanOrEqual(200);
    // Near the limit leases shrink to one permit, so little of the budget is stranded.
    expect(admitted).toBeGreaterThanOrEqual(190);
  });

  it("hands unused permits back when the lease expires", async () => {
    const name = `test:${crypto.randomUUID()}`;
    const permits = new LeasedPermits(new RateLimiterClient(env.RATE_LIMITER));
    const t0 = Date.now();
    await permits.take(name, { limit: 1000, windowSeconds: 3600 }, t0);
    await permits.take(name, { limit: 1000, windowSeconds: 3600 }, t0);
    const later = await permits.take(name, { limit: 1000, windowSeconds: 3600 }, t0 + 5_000);
    expect(later.allowed).toBe(true);
    const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(name));
    const peek = await stub.peek({ limit: 1000, windowSeconds: 3600, now: t0 + 5_000 });
    // Three permits were used; the object counts those plus the unused permits of the current lease
    // only: the first lease's leftovers were handed back.
    const heldLocally = later.remaining - peek.remaining;
    expect(1000 - peek.remaining).toBe(3 + heldLocally);
    expect(later.remaining).toBe(1000 - 3);
  });
});

describe("PrincipalCache", () => {
  const principal = { userId: 7, tier: "free" as const, via: "jwt" as const, scopes: [], sessionId: "s1" };

  it("expires entries after the TTL and honours key expiry", () => {
    const cache = new PrincipalCache();
    cache.set("a", principal, 1000, 5000);
    expect(cache.get("a", 5999)).toBe(principal);
    expect(cache.get("a", 6000)).toBeUndefined();
    cache.set("k", { ...principal, apiKeyId: "key_1" }, 1000, 5000, 2000);
    expect(cache.get("k", 2000)).toBeUndefined();
    cache.set("off", principal, 1000, 0);
    expect(cache.get("off", 1000)).toBeUndefined();
  });

  it("evicts by session, key and user, and stays bounded", () => {
    const cache = new PrincipalCache(3);
    cache.set("s1", principal, 0, 1e9);
    cache.set("s2", { ...principal, sessionId: "s2" }, 0, 1e9);
    cache.set("k1", { ...principal, via: "api_key", apiKeyId: "key_1", sessionId: undefined }, 0, 1e9);
    cache.evictSession("s1");
    expect(cache.get("s1", 1)).toBeUndefined();
    cache.evictApiKey("key_1");
    expect(cache.get("k1", 1)).toBeUndefined();
    cache.set("x", { ...principal, userId: 8 }, 0, 1e9);
    cache.evictUser(7);
    expect(cache.get("s2", 1)).toBeUndefined();
    expect(cache.get("x", 1)).toBeDefined();
    for (let i = 0; i < 10; i++) cache.set(`n${i}`, principal, 0, 1e9);
    expect(cache.get("n0", 1)).toBeUndefined();
    expect(cache.get("n9", 1)).toBeDefined();
  });
});
