import { and, asc, eq, isNull, ne, sql } from "drizzle-orm";
import type { Database } from "../client";
import { platformAccounts } from "../schema";

export type PlatformAccountRow = typeof platformAccounts.$inferSelect;

const owned = (ownerId: number, id: number) =>
  and(eq(platformAccounts.id, id), eq(platformAccounts.ownerId, ownerId), isNull(platformAccounts.deletedAt));

export async function findPlatformAccountIds(db: Database, ownerId: number, ids: number[]) {
  if (ids.length === 0) return [];
  return db
    .select({ id: platformAccounts.id })
    .from(platformAccounts)
    .where(
      and(
        eq(platformAccounts.ownerId, ownerId),
        isNull(platformAccounts.deletedAt),
        sql`${platformAccounts.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
      ),
    );
}

export async function insertPlatformAccount(
  db: Database,
  ownerId: number,
  input: {
    platform: string;
    name: string;
    status: string;
    dailyLimit: number;
    credentialsMasked: Record<string, string>;
  },
  now: number,
) {
  const [row] = await db
    .insert(platformAccounts)
    .values({
      ...input,
      ownerId,
      // Sealed in a second step: the additional data names the row id, known only after insert.
      credentialsCiphertext: "",
      credentialsIv: "",
      credentialsKeyVersion: "",
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  if (!row) throw new Error("platform account insert returned no row");
  return row;
}

export async function updatePlatformAccount(
  db: Database,
  ownerId: number,
  id: number,
  patch: Partial<
    Pick<
      PlatformAccountRow,
      | "platform"
      | "name"
      | "status"
      | "dailyLimit"
      | "credentialsCiphertext"
      | "credentialsIv"
      | "credentialsKeyVersion"
      | "credentialsMasked"
      | "lastUsedAt"
    >
  >,
  now: number,
) {
  const [row] = await db
    .update(platformAccounts)
    .set({ ...patch, updatedAt: now })
    .where(owned(ownerId, id))
    .returning();
  return row;
}

export async function deletePlatformAccountRow(db: Database, id: number) {
  await db.delete(platformAccounts).where(eq(platformAccounts.id, id));
}

export async function findPlatformAccount(db: Database, ownerId: number, id: number) {
  const [row] = await db.select().from(platformAccounts).where(owned(ownerId, id)).limit(1);
  return row;
}

export async function listPlatformAccounts(
  db: Database,
  ownerId: number,
  q: { skip: number; limit: number; platform?: string | undefined; status?: string | undefined },
) {
  return db
    .select()
    .from(platformAccounts)
    .where(
      and(
        eq(platformAccounts.ownerId, ownerId),
        isNull(platformAccounts.deletedAt),
        q.platform ? eq(platformAccounts.platform, q.platform) : undefined,
        q.status ? eq(platformAccounts.status, q.status) : undefined,
      ),
    )
    .orderBy(asc(platformAccounts.id))
    .limit(q.limit)
    .offset(q.skip);
}

/** Active accounts of a platform, least recently used first (spreads load across accounts). */
export async function listActiveAccounts(db: Database, ownerId: number, platform: string) {
  return db
    .select()
    .from(platformAccounts)
    .where(
      and(
        eq(platformAccounts.ownerId, ownerId),
        isNull(platformAccounts.deletedAt),
        eq(platformAccounts.platform, platform),
        eq(platformAccounts.status, "active"),
      ),
    )
    .orderBy(
      sql`${platformAccounts.lastUsedAt} IS NOT NULL`,
      asc(platformAccounts.lastUsedAt),
      asc(platformAccounts.id),
    )
    .limit(100);
}

export async function softDeletePlatformAccount(db: Database, ownerId: number, id: number, now: number) {
  const rows = await db
    .update(platformAccounts)
    // A deleted account keeps no secret: its ciphertext is wiped, not just hidden.
    .set({ deletedAt: now, updatedAt: now, status: "inactive", credentialsCiphertext: "", credentialsIv: "" })
    .where(owned(ownerId, id))
    .returning({ id: platformAccounts.id });
  return rows.length > 0;
}

/** Accounts sealed with another key version, for the re-wrap sweep. */
export async function findAccountsToRewrap(db: Database, currentVersion: string, limit: number) {
  return db
    .select()
    .from(platformAccounts)
    .where(
      and(
        ne(platformAccounts.credentialsKeyVersion, currentVersion),
        ne(platformAccounts.credentialsCiphertext, ""),
      ),
    )
    .limit(limit);
}
