import { sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawRun } from "../raw";

/**
 * The two moves of a studio project's status, each written once (clients never set it): its first
 * workflow starts it, and a completed export — or a workflow whose template completes the project
 * (full_production, render) — completes it.
 */
export function startStudioProjectStatement(db: Database, ownerId: number, projectId: string, now: number) {
  return rawRun(
    db,
    sql`UPDATE studio_projects SET status = 'in_progress', updated_at = ${now}
      WHERE id = ${projectId} AND owner_id = ${ownerId} AND status = 'draft'`,
  );
}

export function completeStudioProjectStatement(
  db: Database,
  ownerId: number,
  projectId: string,
  now: number,
) {
  return rawRun(
    db,
    sql`UPDATE studio_projects SET status = 'completed', updated_at = ${now}
      WHERE id = ${projectId} AND owner_id = ${ownerId} AND status != 'completed'`,
  );
}
