import type { BatchItem } from "drizzle-orm/batch";
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Database = ReturnType<typeof createDb>;

export function createDb(d1: D1Database) {
  return drizzle(d1, { schema });
}

/** One statement of an atomic D1 batch, prepared by a query function of worker/db/queries. */
export type Statement = BatchItem<"sqlite">;

/**
 * Runs prepared statements as one D1 batch: all of them commit or none (D1 has no interactive
 * transactions; a conditional step aborts the rest through db/guard.ts). Results come back in order.
 */
export async function runBatch(db: Database, statements: readonly Statement[]): Promise<unknown[]> {
  if (statements.length === 0) return [];
  return db.batch(statements as unknown as [Statement, ...Statement[]]);
}

const cache = new WeakMap<D1Database, Database>();

/** The drizzle client of a D1 binding, made once per isolate (it holds no connection state). */
export function dbOf(d1: D1Database): Database {
  let db = cache.get(d1);
  if (!db) {
    db = createDb(d1);
    cache.set(d1, db);
  }
  return db;
}
