import { and, desc, eq, sql } from "drizzle-orm";
import type { Database } from "../client";
import { taskConfigAssignments, workerConfigs } from "../schema";

export type WorkerConfigRow = typeof workerConfigs.$inferSelect;
export type WorkerConfigWrite = Partial<
  Pick<
    WorkerConfigRow,
    "configName" | "configType" | "workerType" | "configData" | "description" | "priority" | "isActive"
  >
>;

const owned = (ownerId: number, id: number) =>
  and(eq(workerConfigs.id, id), eq(workerConfigs.ownerId, ownerId));

export async function insertWorkerConfig(
  db: Database,
  ownerId: number,
  input: WorkerConfigWrite & Pick<WorkerConfigRow, "configName" | "configType" | "workerType" | "configData">,
  now: number,
) {
  const [row] = await db
    .insert(workerConfigs)
    .values({ ...input, ownerId, createdAt: now, updatedAt: now })
    .returning();
  if (!row) throw new Error("worker config insert returned no row");
  return row;
}

export async function findWorkerConfig(db: Database, ownerId: number, id: number) {
  const [row] = await db.select().from(workerConfigs).where(owned(ownerId, id)).limit(1);
  return row;
}

/**
 * The webhook URL of the owner's highest-priority active `n8n_workflow` config for one flow
 * (its `worker_type`), if any.
 */
export async function findN8nWebhookUrl(db: Database, ownerId: number, flow: string) {
  const url = (await topActiveConfigData(db, ownerId, "n8n_workflow", flow))?.webhook_url;
  return typeof url === "string" && url ? url : null;
}

/** The config_data of the owner's highest-priority active config of a type (and worker type). */
async function topActiveConfigData(
  db: Database,
  ownerId: number,
  configType: WorkerConfigRow["configType"],
  workerType?: string,
) {
  const [config] = await db
    .select({ data: workerConfigs.configData })
    .from(workerConfigs)
    .where(
      and(
        eq(workerConfigs.ownerId, ownerId),
        eq(workerConfigs.isActive, true),
        eq(workerConfigs.configType, configType),
        workerType === undefined ? undefined : eq(workerConfigs.workerType, workerType),
      ),
    )
    .orderBy(desc(workerConfigs.priority), desc(workerConfigs.id))
    .limit(1);
  return config?.data;
}

/** Highest priority first: configs are ordered by their priority. */
export async function listWorkerConfigs(
  db: Database,
  ownerId: number,
  q: {
    skip: number;
    limit: number;
    workerType?: string | undefined;
    configType?: string | undefined;
    isActive?: boolean | undefined;
  },
) {
  return db
    .select()
    .from(workerConfigs)
    .where(
      and(
        eq(workerConfigs.ownerId, ownerId),
        q.workerType ? eq(workerConfigs.workerType, q.workerType) : undefined,
        q.configType ? eq(workerConfigs.configType, q.configType) : undefined,
        q.isActive !== undefined ? eq(workerConfigs.isActive, q.isActive) : undefined,
      ),
    )
    .orderBy(desc(workerConfigs.priority), desc(workerConfigs.id))
    .limit(q.limit)
    .offset(q.skip);
}

export async function updateWorkerConfig(
  db: Database,
  ownerId: number,
  id: number,
  patch: WorkerConfigWrite,
  now: number,
) {
  const [row] = await db
    .update(workerConfigs)
    .set({ ...patch, updatedAt: now })
    .where(owned(ownerId, id))
    .returning();
  return row;
}

export async function findOwnedConfigs(db: Database, ownerId: number, ids: number[]) {
  return db
    .select()
    .from(workerConfigs)
    .where(
      and(
        eq(workerConfigs.ownerId, ownerId),
        sql`${workerConfigs.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`,
      ),
    );
}

/** Assigning a config again replaces its override (one assignment per task and config). */
export async function upsertAssignments(
  db: Database,
  ownerId: number,
  taskId: number,
  configIds: number[],
  overrideData: Record<string, unknown> | null,
  now: number,
) {
  return db
    .insert(taskConfigAssignments)
    .values(configIds.map((configId) => ({ ownerId, taskId, configId, overrideData, createdAt: now })))
    .onConflictDoUpdate({
      target: [taskConfigAssignments.taskId, taskConfigAssignments.configId],
      set: { overrideData },
    })
    .returning();
}

/** A task's active configs with their overrides, highest priority first. */
export async function findTaskConfigs(db: Database, ownerId: number, taskId: number) {
  return db
    .select({ config: workerConfigs, overrideData: taskConfigAssignments.overrideData })
    .from(taskConfigAssignments)
    .innerJoin(workerConfigs, eq(workerConfigs.id, taskConfigAssignments.configId))
    .where(
      and(
        eq(taskConfigAssignments.taskId, taskId),
        eq(taskConfigAssignments.ownerId, ownerId),
        eq(workerConfigs.isActive, true),
      ),
    )
    .orderBy(desc(workerConfigs.priority), desc(workerConfigs.id));
}

/** The config_data of the owner's highest-priority active `generation` config (provider defaults). */
export function findGenerationDefaults(db: Database, ownerId: number) {
  return topActiveConfigData(db, ownerId, "generation");
}
