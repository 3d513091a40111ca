import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "../client";
import { assets } from "../schema";

export type AssetRow = typeof assets.$inferSelect;
export type AssetWrite = Partial<
  Pick<
    AssetRow,
    | "name"
    | "description"
    | "assetType"
    | "storagePath"
    | "assetMetadata"
    | "durationSeconds"
    | "source"
    | "visibility"
    | "status"
    | "r2Key"
    | "contentType"
    | "sizeBytes"
  >
>;

const owned = (ownerId: number, id: number) =>
  and(eq(assets.id, id), eq(assets.ownerId, ownerId), isNull(assets.deletedAt));

export async function insertAsset(
  db: Database,
  ownerId: number,
  input: AssetWrite & Pick<AssetRow, "name" | "assetType" | "status">,
  now: number,
) {
  const [row] = await db
    .insert(assets)
    .values({ ...input, ownerId, createdAt: now, updatedAt: now })
    .returning();
  if (!row) throw new Error("asset insert returned no row");
  return row;
}

export async function findAsset(db: Database, ownerId: number, id: number) {
  const [row] = await db.select().from(assets).where(owned(ownerId, id)).limit(1);
  return row;
}

export async function listAssets(
  db: Database,
  ownerId: number,
  q: { skip: number; limit: number; assetType?: string | undefined; status?: string | undefined },
) {
  return db
    .select()
    .from(assets)
    .where(
      and(
        eq(assets.ownerId, ownerId),
        isNull(assets.deletedAt),
        q.assetType ? eq(assets.assetType, q.assetType) : undefined,
        q.status ? eq(assets.status, q.status) : undefined,
      ),
    )
    .orderBy(asc(assets.id))
    .limit(q.limit)
    .offset(q.skip);
}

export async function updateAsset(db: Database, ownerId: number, id: number, patch: AssetWrite, now: number) {
  const [row] = await db
    .update(assets)
    .set({ ...patch, updatedAt: now })
    .where(owned(ownerId, id))
    .returning();
  return row;
}

export async function softDeleteAsset(db: Database, ownerId: number, id: number, now: number) {
  const [row] = await db
    .update(assets)
    .set({ deletedAt: now, updatedAt: now })
    .where(owned(ownerId, id))
    .returning({ r2Key: assets.r2Key });
  return row;
}
