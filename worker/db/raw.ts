import type { SQL } from "drizzle-orm";
import type { Database } from "./client";

/**
 * drizzle's D1 `batch()` cannot take a raw `sql` statement with parameters: its raw query object
 * carries no prepared D1 statement, and the batch reads `.stmt` from it. These wrappers attach one,
 * so raw SQL (INSERT … SELECT, conditional inserts) can join an atomic batch. Outside a batch they
 * behave exactly like `db.run` / `db.all`.
 */
export function rawRun(db: Database, query: SQL) {
  return withStatement(db, db.run(query));
}

export function rawAll<T>(db: Database, query: SQL) {
  return withStatement(db, db.all<T>(query));
}

function withStatement<T extends object>(db: Database, raw: T): T {
  const built = (raw as unknown as { getQuery(): { sql: string } }).getQuery();
  Object.assign(raw, { stmt: db.$client.prepare(built.sql) });
  return raw;
}
