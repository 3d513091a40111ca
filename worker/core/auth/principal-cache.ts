import type { Principal } from "./types";

interface Entry {
  principal: Principal;
  expiresAt: number;
  /** For API keys: the key's own expiry, re-checked on every hit. */
  keyExpiresAt: number | null;
}

/**
 * A short-lived, per-isolate cache of resolved principals, so a burst of requests with one token
 * costs one D1 lookup instead of one each. Revocations made through the API (logout, reuse
 * detection, key revocation, tier changes) evict here at once; another isolate may accept a revoked
 * credential for at most `ttlMs` (AUTH_CACHE_SECONDS, default 5 s; 0 disables the cache).
 */
export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 10_000) {}

  get(key: string, now: number): Principal | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now || (entry.keyExpiresAt !== null && entry.keyExpiresAt <= now)) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.principal;
  }

  set(
    key: string,
    principal: Principal,
    now: number,
    ttlMs: number,
    keyExpiresAt: number | null = null,
  ): void {
    if (ttlMs <= 0) return;
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { principal, expiresAt: now + ttlMs, keyExpiresAt });
  }

  evictSession(sessionId: string): void {
    this.evictWhere((p) => p.sessionId === sessionId);
  }

  evictApiKey(apiKeyId: string): void {
    this.evictWhere((p) => p.apiKeyId === apiKeyId);
  }

  /** Every cached credential of a user, e.g. after their tier changed. */
  evictUser(userId: number): void {
    this.evictWhere((p) => p.userId === userId);
  }

  clear(): void {
    this.entries.clear();
  }

  private evictWhere(match: (p: Principal) => boolean): void {
    for (const [key, entry] of this.entries) if (match(entry.principal)) this.entries.delete(key);
  }
}

export const principalCache = new PrincipalCache();
