import { sha256Hex } from "../../../contracts/crypto";
import { findApiKeyPrincipal, findSessionPrincipal, touchApiKey } from "../../db/queries/accounts";
import { API_KEY_SCOPES, type ApiKeyScope } from "../../db/schema/studio";
import { forbidden, unauthorized } from "../../platform/errors";
import { currentSubscription } from "../billing/subscriptions";
import type { Tier } from "../billing/tiers";
import type { AppContext } from "../context";
import { API_KEY_PREFIX } from "./api-keys";
import { principalCache } from "./principal-cache";
import { tokenSecrets, verifyAccessToken } from "./tokens";
import type { Principal, Scope } from "./types";

/** last_used_at of an API key is refreshed at most this often, to keep reads free of writes. */
const API_KEY_TOUCH_INTERVAL_MS = 60_000;

export function bearerToken(header: string | undefined): string {
  if (!header) throw unauthorized();
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  if (!match?.[1]) throw unauthorized("Authorization header must be 'Bearer <token>'");
  return match[1];
}

/** Resolves a Bearer token (API key or access JWT) to the calling principal, or throws 401. */
export async function authenticate(ctx: AppContext, token: string): Promise<Principal> {
  const ttlMs = ctx.config.authCacheSeconds * 1000;
  if (token.startsWith(API_KEY_PREFIX)) {
    const keyHash = await sha256Hex(token);
    const cacheKey = `key:${keyHash}`;
    const cached = principalCache.get(cacheKey, ctx.now);
    if (cached) return cached;
    const row = await findApiKeyPrincipal(ctx.db, keyHash, ctx.now);
    if (!row) throw unauthorized("Invalid or revoked API key");
    if (!row.lastUsedAt || ctx.now - row.lastUsedAt > API_KEY_TOUCH_INTERVAL_MS) {
      ctx.defer(touchApiKey(ctx.db, row.keyId, ctx.now));
    }
    const principal: Principal = {
      userId: row.userId,
      tier: await tierNow(ctx, row),
      via: "api_key",
      scopes: row.scopes.filter((s): s is ApiKeyScope => (API_KEY_SCOPES as readonly string[]).includes(s)),
      apiKeyId: row.keyId,
    };
    principalCache.set(cacheKey, principal, ctx.now, ttlMs, row.expiresAt);
    return principal;
  }
  // The signature and claims are checked on every request; only the session lookup is cached.
  const claims = await verifyAccessToken(tokenSecrets(ctx.env), ctx.config, token, ctx.now);
  const cacheKey = `session:${claims.sessionId}:${claims.userId}`;
  const cached = principalCache.get(cacheKey, ctx.now);
  if (cached) return cached;
  const row = await findSessionPrincipal(ctx.db, claims.userId, claims.sessionId);
  if (!row) throw unauthorized("Session has ended; log in again");
  const principal: Principal = {
    userId: row.userId,
    tier: await tierNow(ctx, row),
    via: "jwt",
    scopes: ctx.config.adminEmails.includes(row.email) ? [...API_KEY_SCOPES, "admin"] : API_KEY_SCOPES,
    sessionId: claims.sessionId,
  };
  principalCache.set(cacheKey, principal, ctx.now, ttlMs);
  return principal;
}

/**
 * The tier the rate limit applies. It only changes at a plan change (which evicts cached
 * principals) or at a quota boundary (dunning's move to free): past one, the subscription is
 * brought up to date first, so a lapsed plan's limit never outlives its month.
 */
async function tierNow(ctx: AppContext, row: { userId: number; tier: Tier; currentPeriodEnd: number }) {
  if (ctx.now < row.currentPeriodEnd) return row.tier;
  return (await currentSubscription(ctx, row.userId))?.tier ?? row.tier;
}

/** 403 unless the principal holds one of `scopes`. */
export function requireScope(principal: Principal, ...scopes: Scope[]): void {
  if (!scopes.some((s) => principal.scopes.includes(s))) {
    throw forbidden(`This credential lacks the required scope: ${scopes.join(" or ")}`);
  }
}
