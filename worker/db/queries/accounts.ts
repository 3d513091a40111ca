import { and, eq, gt, isNull, or, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawRun } from "../raw";
import { apiKeys, authSessions, refreshTokens, subscriptions, users } from "../schema";
import type { ApiKeyScope } from "../schema/studio";

export async function findUserByEmail(db: Database, email: string) {
  return db.query.users.findFirst({ where: eq(users.email, email) });
}

export async function findUserById(db: Database, userId: number) {
  return db.query.users.findFirst({ where: eq(users.id, userId) });
}

/**
 * Inserts the user, their free subscription and the first credit grant in one batch: either the
 * account exists with its subscription or nothing was written.
 */
export async function insertUserWithSubscription(
  db: Database,
  input: {
    email: string;
    username: string;
    passwordHash: string;
    tier: "free";
    quotaTotal: number;
    periodEnd: number;
    now: number;
  },
) {
  const { email, now } = input;
  const [inserted] = await db.batch([
    db
      .insert(users)
      .values({
        email,
        username: input.username,
        passwordHash: input.passwordHash,
        createdAt: now,
        updatedAt: now,
      })
      .returning(),
    rawRun(
      db,
      sql`INSERT INTO subscriptions
        (user_id, tier, status, billing_cycle, quota_total, quota_used, current_period_start, current_period_end,
         billing_period_start, billing_period_end, created_at, updated_at)
      SELECT id, ${input.tier}, 'active', 'monthly', ${input.quotaTotal}, 0, ${now}, ${input.periodEnd}, ${now}, ${input.periodEnd}, ${now}, ${now}
      FROM users WHERE email = ${email}`,
    ),
    rawRun(
      db,
      sql`INSERT INTO credit_ledger (owner_id, kind, amount, description, created_at)
      SELECT id, 'grant', ${input.quotaTotal}, 'Free plan monthly credits', ${now} FROM users WHERE email = ${email}`,
    ),
  ]);
  const user = inserted[0];
  if (!user) throw new Error("user insert returned no row");
  return user;
}

export async function insertSession(
  db: Database,
  input: { sessionId: string; userId: number; tokenHash: string; now: number; expiresAt: number },
) {
  await db.batch([
    db.insert(authSessions).values({ id: input.sessionId, userId: input.userId, createdAt: input.now }),
    db.insert(refreshTokens).values({
      tokenHash: input.tokenHash,
      sessionId: input.sessionId,
      userId: input.userId,
      issuedAt: input.now,
      expiresAt: input.expiresAt,
    }),
  ]);
}

/**
 * Rotates a refresh token atomically: marks the old one used and inserts its successor in one
 * batch. The INSERT copies from the row only if this very call marked it (`replaced_by`), so of
 * any number of concurrent rotations exactly one yields a new token.
 */
export async function rotateRefreshToken(
  db: Database,
  input: { oldHash: string; newHash: string; now: number; expiresAt: number },
) {
  const [updated] = await db.batch([
    db
      .update(refreshTokens)
      .set({ usedAt: input.now, replacedBy: input.newHash })
      .where(
        and(
          eq(refreshTokens.tokenHash, input.oldHash),
          isNull(refreshTokens.usedAt),
          gt(refreshTokens.expiresAt, input.now),
          sql`${refreshTokens.sessionId} IN (SELECT id FROM auth_sessions WHERE revoked_at IS NULL)`,
        ),
      )
      .returning({ sessionId: refreshTokens.sessionId, userId: refreshTokens.userId }),
    rawRun(
      db,
      sql`INSERT INTO refresh_tokens (token_hash, session_id, user_id, issued_at, expires_at)
      SELECT ${input.newHash}, session_id, user_id, ${input.now}, ${input.expiresAt}
      FROM refresh_tokens WHERE token_hash = ${input.oldHash} AND replaced_by = ${input.newHash}`,
    ),
    rawRun(
      db,
      sql`UPDATE auth_sessions SET last_refreshed_at = ${input.now}
      WHERE id = (SELECT session_id FROM refresh_tokens WHERE token_hash = ${input.oldHash} AND replaced_by = ${input.newHash})`,
    ),
  ]);
  return updated[0];
}

export async function findRefreshToken(db: Database, tokenHash: string) {
  const rows = await db
    .select({ token: refreshTokens, session: authSessions })
    .from(refreshTokens)
    .innerJoin(authSessions, eq(authSessions.id, refreshTokens.sessionId))
    .where(eq(refreshTokens.tokenHash, tokenHash))
    .limit(1);
  return rows[0];
}

export async function revokeSession(db: Database, sessionId: string, reason: string, now: number) {
  await db
    .update(authSessions)
    .set({ revokedAt: now, revokeReason: reason })
    .where(and(eq(authSessions.id, sessionId), isNull(authSessions.revokedAt)));
}

/** The caller of a JWT: user, tier, and whether the login session is still alive, in one query. */
export async function findSessionPrincipal(db: Database, userId: number, sessionId: string) {
  const rows = await db
    .select({
      userId: users.id,
      email: users.email,
      tier: subscriptions.tier,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
    })
    .from(users)
    .innerJoin(subscriptions, eq(subscriptions.userId, users.id))
    .innerJoin(
      authSessions,
      and(eq(authSessions.id, sessionId), eq(authSessions.userId, users.id), isNull(authSessions.revokedAt)),
    )
    .where(eq(users.id, userId))
    .limit(1);
  return rows[0];
}

/** The caller of an API key, in one query; revoked and expired keys do not match. */
export async function findApiKeyPrincipal(db: Database, keyHash: string, now: number) {
  const rows = await db
    .select({
      keyId: apiKeys.id,
      userId: apiKeys.userId,
      scopes: apiKeys.scopes,
      lastUsedAt: apiKeys.lastUsedAt,
      expiresAt: apiKeys.expiresAt,
      tier: subscriptions.tier,
      currentPeriodEnd: subscriptions.currentPeriodEnd,
    })
    .from(apiKeys)
    .innerJoin(subscriptions, eq(subscriptions.userId, apiKeys.userId))
    .where(
      and(
        eq(apiKeys.keyHash, keyHash),
        isNull(apiKeys.revokedAt),
        or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, now)),
      ),
    )
    .limit(1);
  return rows[0];
}

export async function touchApiKey(db: Database, keyId: string, now: number) {
  await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, keyId));
}

export async function insertApiKey(
  db: Database,
  input: {
    id: string;
    userId: number;
    name: string;
    prefix: string;
    keyHash: string;
    scopes: ApiKeyScope[];
    now: number;
    expiresAt: number | null;
  },
) {
  const [row] = await db
    .insert(apiKeys)
    .values({
      id: input.id,
      userId: input.userId,
      name: input.name,
      prefix: input.prefix,
      keyHash: input.keyHash,
      scopes: input.scopes,
      createdAt: input.now,
      expiresAt: input.expiresAt,
    })
    .returning();
  if (!row) throw new Error("api key insert returned no row");
  return row;
}

export async function listApiKeys(db: Database, userId: number) {
  return db.query.apiKeys.findMany({
    where: and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)),
    orderBy: (k, { desc }) => [desc(k.createdAt)],
  });
}

export async function revokeApiKey(db: Database, userId: number, keyId: string, now: number) {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: now })
    .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}
