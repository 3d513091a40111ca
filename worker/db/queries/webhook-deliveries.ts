import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll } from "../raw";
import { webhookDeliveries } from "../schema";

export interface DeliveryKey {
  ownerId: number;
  kind: string;
  targetId: number;
  executionId: string;
}

/**
 * A callback's answer: plain JSON, or one computed in SQL where it names rows the same batch
 * creates (createdProjectAnswer).
 */
export type DeliveryAnswer = Record<string, unknown> | SQL;

/** The answer to a project-creation callback: the id of the project the same batch creates. */
export function createdProjectAnswer(projectRef: string, tasksCreated: number): DeliveryAnswer {
  return sql`json_object('message', 'Project created successfully',
    'project_id', (SELECT id FROM pipeline_projects WHERE create_ref = ${projectRef}),
    'tasks_created', ${tasksCreated})`;
}

/**
 * Records a callback in the batch that applies it. The UNIQUE key makes a concurrent duplicate's
 * batch fail as a whole, so a callback's effects happen once; the answer is computed in SQL where
 * it depends on ids created by the same batch.
 */
export function recordDeliveryStatement(
  db: Database,
  key: DeliveryKey,
  requestHash: string,
  answer: DeliveryAnswer,
  now: number,
) {
  const response = "getSQL" in answer ? (answer as SQL) : sql`json(${JSON.stringify(answer)})`;
  return rawAll<{ response: string }>(
    db,
    sql`INSERT INTO webhook_deliveries (owner_id, kind, target_id, execution_id, request_hash, response, created_at)
      VALUES (${key.ownerId}, ${key.kind}, ${key.targetId}, ${key.executionId}, ${requestHash}, ${response}, ${now})
      RETURNING response`,
  );
}

export async function findDelivery(db: Database, key: DeliveryKey) {
  const [row] = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.ownerId, key.ownerId),
        eq(webhookDeliveries.kind, key.kind),
        eq(webhookDeliveries.targetId, key.targetId),
        eq(webhookDeliveries.executionId, key.executionId),
      ),
    )
    .limit(1);
  return row;
}
