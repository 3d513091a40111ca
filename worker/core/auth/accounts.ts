import type { Database } from "../../db/client";
import { isUniqueViolation } from "../../db/errors";
import {
  findRefreshToken,
  findUserByEmail,
  findUserById,
  insertSession,
  insertUserWithSubscription,
  revokeSession,
  rotateRefreshToken,
} from "../../db/queries/accounts";
import type { AppConfig } from "../../platform/config";
import { randomToken, sha256Hex } from "../../platform/crypto";
import { AppError, badRequest, notFound, unauthorized } from "../../platform/errors";
import { currentSubscription } from "../billing/subscriptions";
import { addMonths, TIER_PLANS } from "../billing/tiers";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./passwords";
import { principalCache } from "./principal-cache";
import { issueAccessToken, type TokenSecrets } from "./tokens";

const REFRESH_PREFIX = "rt_";

export interface AccountDeps {
  db: Database;
  config: AppConfig;
  secrets: TokenSecrets;
  pepper: string;
  now: number;
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function register(
  deps: AccountDeps,
  input: { email: string; password: string; username: string },
) {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password, deps.pepper);
  try {
    return await insertUserWithSubscription(deps.db, {
      email,
      username: input.username.trim(),
      passwordHash,
      tier: "free",
      quotaTotal: TIER_PLANS.free.monthlyCredits,
      periodEnd: addMonths(deps.now, 1),
      now: deps.now,
    });
  } catch (err) {
    if (isUniqueViolation(err, "users.email")) throw badRequest("Email already registered");
    throw err;
  }
}

export interface TokenPair {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  refresh_token: string;
}

async function issuePair(deps: AccountDeps, userId: number, sessionId: string, refreshToken: string) {
  return {
    access_token: await issueAccessToken(deps.secrets, deps.config, { userId, sessionId }, deps.now),
    token_type: "bearer" as const,
    expires_in: deps.config.jwt.accessTtlSeconds,
    refresh_token: refreshToken,
  };
}

/** Checks the password; unknown emails cost the same derivation so timing reveals nothing. */
export async function checkCredentials(deps: AccountDeps, email: string, password: string) {
  const user = await findUserByEmail(deps.db, normaliseEmail(email));
  if (!user) return burnPasswordCheck(password, deps.pepper);
  return (await verifyPassword(password, user.passwordHash, deps.pepper)) ? user : false;
}

export async function startSession(deps: AccountDeps, userId: number): Promise<TokenPair> {
  const sessionId = randomToken(16);
  const refreshToken = `${REFRESH_PREFIX}${randomToken(32)}`;
  await insertSession(deps.db, {
    sessionId,
    userId,
    tokenHash: await sha256Hex(refreshToken),
    now: deps.now,
    expiresAt: deps.now + deps.config.jwt.refreshTtlSeconds * 1000,
  });
  return issuePair(deps, userId, sessionId, refreshToken);
}

/**
 * Refresh-token rotation with reuse detection (RFC 9700 §4.14). A token used a second time means
 * it leaked, so the whole login session is revoked — except within a short grace period, where a
 * second use is most likely the same client racing itself (two tabs): that one is refused without
 * ending the session.
 */
export async function refresh(deps: AccountDeps, refreshToken: string): Promise<TokenPair> {
  const invalid = () => unauthorized("Invalid refresh token");
  if (!refreshToken.startsWith(REFRESH_PREFIX)) throw invalid();
  const oldHash = await sha256Hex(refreshToken);
  const next = `${REFRESH_PREFIX}${randomToken(32)}`;
  const rotated = await rotateRefreshToken(deps.db, {
    oldHash,
    newHash: await sha256Hex(next),
    now: deps.now,
    expiresAt: deps.now + deps.config.jwt.refreshTtlSeconds * 1000,
  });
  if (rotated) return issuePair(deps, rotated.userId, rotated.sessionId, next);

  const found = await findRefreshToken(deps.db, oldHash);
  if (!found || found.session.revokedAt !== null || found.token.expiresAt <= deps.now) throw invalid();
  if (found.token.usedAt !== null) {
    if (deps.now - found.token.usedAt > deps.config.jwt.reuseGraceSeconds * 1000) {
      await revokeSession(deps.db, found.session.id, "refresh_token_reuse", deps.now);
      principalCache.evictSession(found.session.id);
      throw unauthorized("Refresh token reuse detected; the session has been revoked");
    }
    throw unauthorized("Refresh token already used");
  }
  throw invalid();
}

export async function logout(deps: AccountDeps, sessionId: string | undefined) {
  if (!sessionId) throw badRequest("Log out with a session access token, not an API key");
  await revokeSession(deps.db, sessionId, "logout", deps.now);
  principalCache.evictSession(sessionId);
}

export async function me(deps: AccountDeps, userId: number) {
  const [user, subscription] = await Promise.all([
    findUserById(deps.db, userId),
    currentSubscription(deps, userId),
  ]);
  if (!user) throw notFound("User");
  if (!subscription) throw new AppError("INTERNAL_SERVER_ERROR", "Subscription missing");
  return { user, subscription };
}
