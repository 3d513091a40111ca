import { sql } from "drizzle-orm";
import type { Database } from "./client";
import { rawRun } from "./raw";

/**
 * A statement for a D1 batch that aborts the whole batch when the statement just before it changed
 * no row: a conditional UPDATE that lost a race then rolls everything back instead of leaving the
 * rest of the batch applied. The abort surfaces as `CHECK constraint failed: batch_guard_changed`.
 */
export function abortUnlessChanged(db: Database, name: string) {
  return rawRun(db, sql`INSERT INTO batch_guards (name, ok) SELECT ${name}, 0 WHERE changes() = 0`);
}

export function isGuardAbort(err: unknown): boolean {
  let current: unknown = err;
  for (let i = 0; current && i < 5; i++) {
    if (current instanceof Error && current.message.includes("batch_guard_changed")) return true;
    current = current instanceof Error ? current.cause : undefined;
  }
  return false;
}
