import { sql } from "drizzle-orm";
import type { Database } from "./client";

/** The cheapest statement D1 answers: `/health` uses it to tell "reachable" from "failing". */
export async function pingDatabase(db: Database): Promise<void> {
  await db.run(sql`SELECT 1`);
}
