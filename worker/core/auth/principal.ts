import type { Principal, Scope } from "../../app-env";
import type { Database } from "../../db/client";
import { findApiKeyPrincipal, findSessionPrincipal, touchApiKey } from "../../db/queries/accounts";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../db/schema/studio";
import type { AppConfig } from "../../platform/config";
import { sha256Hex } from "../../platform/crypto";
import { forbidden, unauthorized } from "../../platform/errors";
import { currentSubscription } from "../billing/subscriptions";
import type { Tier } from "../billing/tiers";
import { API_KEY_PREFIX } from "./api-keys";
import { principalCache } from "./principal-cache";
import { type TokenSecrets, verifyAccessToken } from "./tokens";

/** last_used_at of an API key is refreshed at most this often, to keep reads free of writes. */
const API_KEY_TOUCH_INTERVAL_MS = 60_000;

export function bearerToken(header: string | undefined): string {
  if (!header) throw unauthorized();
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized("Authorization header must be 'Bearer <token>'");
  return match[1];
}

export interface AuthDeps {
  db: Database;
  config: AppConfig;
  secrets: TokenSecrets;
  now: number;
  /** Runs after the response (ctx.waitUntil); bookkeeping that must not slow the request. */
  defer: (work: Promise<unknown>) => void;
}

/** Resolves a Bearer token (API key or access JWT) to the calling principal, or throws 401. */
export async function authenticate(deps: AuthDeps, token: string): Promise<Principal> {
  const ttlMs = deps.config.authCacheSeconds * 1000;
  if (token.startsWith(API_KEY_PREFIX)) {
    const keyHash = await sha256Hex(token);
    const cacheKey = `key:${keyHash}`;
    const cached = principalCache.get(cacheKey, deps.now);
    if (cached) return cached;
    const row = await findApiKeyPrincipal(deps.db, keyHash, deps.now);
    if (!row) throw unauthorized("Invalid or revoked API key");
    if (!row.lastUsedAt || deps.now - row.lastUsedAt > API_KEY_TOUCH_INTERVAL_MS) {
      deps.defer(touchApiKey(deps.db, row.keyId, deps.now));
    }
    const principal: Principal = {
      userId: row.userId,
      tier: await tierNow(deps, row),
      via: "api_key",
      scopes: row.scopes.filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s)),
      apiKeyId: row.keyId,
    };
    principalCache.set(cacheKey, principal, deps.now, ttlMs, row.expiresAt);
    return principal;
  }
  // The signature and claims are checked on every request; only the session lookup is cached.
  const claims = await verifyAccessToken(deps.secrets, deps.config, token, deps.now);
  const cacheKey = `session:${claims.sessionId}:${claims.userId}`;
  const cached = principalCache.get(cacheKey, deps.now);
  if (cached) return cached;
  const row = await findSessionPrincipal(deps.db, claims.userId, claims.sessionId);
  if (!row) throw unauthorized("Session has ended; log in again");
  const principal: Principal = {
    userId: row.userId,
    tier: await tierNow(deps, row),
    via: "jwt",
    scopes: deps.config.adminEmails.includes(row.email) ? [...API_KEY_SCOPES, "admin"] : API_KEY_SCOPES,
    sessionId: claims.sessionId,
  };
  principalCache.set(cacheKey, principal, deps.now, ttlMs);
  return principal;
}

/**
 * The tier the rate limit applies. It only changes at a plan change (which evicts cached
 * principals) or at a quota boundary (dunning's move to free): past one, the subscription is
 * brought up to date first, so a lapsed plan's limit never outlives its month.
 */
async function tierNow(deps: AuthDeps, row: { userId: number; tier: Tier; currentPeriodEnd: number }) {
  if (deps.now < row.currentPeriodEnd) return row.tier;
  return (await currentSubscription(deps, row.userId))?.tier ?? row.tier;
}

/** 403 unless the principal holds one of `scopes`. */
export function requireScope(principal: Principal, ...scopes: Scope[]): void {
  if (!scopes.some((s) => principal.scopes.includes(s))) {
    throw forbidden(`This credential lacks the required scope: ${scopes.join(" or ")}`);
  }
}
