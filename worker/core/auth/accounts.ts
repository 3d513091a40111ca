import { randomToken, sha256Hex } from "../../../contracts/crypto";
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
import { AppError, badRequest, notFound, unauthorized } from "../../platform/errors";
import { currentSubscription } from "../billing/subscriptions";
import { addMonths, TIER_PLANS } from "../billing/tiers";
import type { AppContext } from "../context";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./passwords";
import { principalCache } from "./principal-cache";
import { issueAccessToken, tokenSecrets } from "./tokens";

const REFRESH_PREFIX = "rt_";

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function register(
  ctx: AppContext,
  input: { email: string; password: string; username: string },
) {
  const email = normaliseEmail(input.email);
  const passwordHash = await hashPassword(input.password, ctx.env.PASSWORD_PEPPER);
  try {
    return await insertUserWithSubscription(ctx.db, {
      email,
      username: input.username.trim(),
      passwordHash,
      tier: "free",
      quotaTotal: TIER_PLANS.free.monthlyCredits,
      periodEnd: addMonths(ctx.now, 1),
      now: ctx.now,
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

async function issuePair(ctx: AppContext, userId: number, sessionId: string, refreshToken: string) {
  return {
    access_token: await issueAccessToken(tokenSecrets(ctx.env), ctx.config, { userId, sessionId }, ctx.now),
    token_type: "bearer" as const,
    expires_in: ctx.config.jwt.accessTtlSeconds,
    refresh_token: refreshToken,
  };
}

/** Checks the password; unknown emails cost the same derivation so timing reveals nothing. */
export async function checkCredentials(ctx: AppContext, email: string, password: string) {
  const user = await findUserByEmail(ctx.db, normaliseEmail(email));
  if (!user) return burnPasswordCheck(password, ctx.env.PASSWORD_PEPPER);
  return (await verifyPassword(password, user.passwordHash, ctx.env.PASSWORD_PEPPER)) ? user : false;
}

export async function startSession(ctx: AppContext, userId: number): Promise<TokenPair> {
  const sessionId = randomToken(16);
  const refreshToken = `${REFRESH_PREFIX}${randomToken(32)}`;
  await insertSession(ctx.db, {
    sessionId,
    userId,
    tokenHash: await sha256Hex(refreshToken),
    now: ctx.now,
    expiresAt: ctx.now + ctx.config.jwt.refreshTtlSeconds * 1000,
  });
  return issuePair(ctx, userId, sessionId, refreshToken);
}

/**
 * Refresh-token rotation with reuse detection (RFC 9700 §4.14). A token used a second time means
 * it leaked, so the whole login session is revoked — except within a short grace period, where a
 * second use is most likely the same client racing itself (two tabs): that one is refused without
 * ending the session.
 */
export async function refresh(ctx: AppContext, refreshToken: string): Promise<TokenPair> {
  const invalid = () => unauthorized("Invalid refresh token");
  if (!refreshToken.startsWith(REFRESH_PREFIX)) throw invalid();
  const oldHash = await sha256Hex(refreshToken);
  const next = `${REFRESH_PREFIX}${randomToken(32)}`;
  const rotated = await rotateRefreshToken(ctx.db, {
    oldHash,
    newHash: await sha256Hex(next),
    now: ctx.now,
    expiresAt: ctx.now + ctx.config.jwt.refreshTtlSeconds * 1000,
  });
  if (rotated) return issuePair(ctx, rotated.userId, rotated.sessionId, next);

  const found = await findRefreshToken(ctx.db, oldHash);
  if (!found || found.session.revokedAt !== null || found.token.expiresAt <= ctx.now) throw invalid();
  if (found.token.usedAt !== null) {
    if (ctx.now - found.token.usedAt > ctx.config.jwt.reuseGraceSeconds * 1000) {
      await revokeSession(ctx.db, found.session.id, "refresh_token_reuse", ctx.now);
      principalCache.evictSession(found.session.id);
      throw unauthorized("Refresh token reuse detected; the session has been revoked");
    }
    throw unauthorized("Refresh token already used");
  }
  throw invalid();
}

export async function logout(ctx: AppContext, sessionId: string | undefined) {
  if (!sessionId) throw badRequest("Log out with a session access token, not an API key");
  await revokeSession(ctx.db, sessionId, "logout", ctx.now);
  principalCache.evictSession(sessionId);
}

export async function me(ctx: AppContext, userId: number) {
  const [user, subscription] = await Promise.all([
    findUserById(ctx.db, userId),
    currentSubscription(ctx, userId),
  ]);
  if (!user) throw notFound("User");
  if (!subscription) throw new AppError("INTERNAL_SERVER_ERROR", "Subscription missing");
  return { user, subscription };
}
