import { findTask } from "../../db/queries/tasks";
import {
  findOwnedConfigs,
  findTaskConfigs,
  findWorkerConfig,
  insertWorkerConfig,
  listWorkerConfigs,
  updateWorkerConfig,
  upsertAssignments,
  type WorkerConfigWrite,
} from "../../db/queries/worker-configs";
import { badRequest, notFound } from "../../platform/errors";
import { assertPublicHttpUrl } from "../../platform/url-guard";
import type { AppContext } from "../context";
import { allowPrivateWebhookUrls } from "../n8n/triggers";

export interface WorkerConfigInput {
  config_name?: string | undefined;
  config_type?: string | undefined;
  worker_type?: string | undefined;
  config_data?: Record<string, unknown> | undefined;
  description?: string | null | undefined;
  priority?: number | undefined;
  is_active?: boolean | undefined;
}

/** An n8n workflow config names a webhook we will call: it must be a public URL (SSRF). */
function checkWebhookUrl(env: Env, configType: string, data: Record<string, unknown>) {
  if (configType !== "n8n_workflow") return;
  const url = data.webhook_url;
  if (typeof url !== "string" || url.length === 0)
    throw badRequest("n8n_workflow configs need config_data.webhook_url");
  assertPublicHttpUrl(url, { allowPrivate: allowPrivateWebhookUrls(env) });
}

function toWrite(input: WorkerConfigInput): WorkerConfigWrite {
  const w: WorkerConfigWrite = {};
  if (input.config_name !== undefined) w.configName = input.config_name;
  if (input.config_type !== undefined) w.configType = input.config_type;
  if (input.worker_type !== undefined) w.workerType = input.worker_type;
  if (input.config_data !== undefined) w.configData = input.config_data;
  if (input.description !== undefined) w.description = input.description;
  if (input.priority !== undefined) w.priority = input.priority;
  if (input.is_active !== undefined) w.isActive = input.is_active;
  return w;
}

export async function createConfig(
  ctx: AppContext,
  ownerId: number,
  input: WorkerConfigInput & { config_name: string; config_type: string; worker_type: string },
) {
  const data = input.config_data ?? {};
  checkWebhookUrl(ctx.env, input.config_type, data);
  return insertWorkerConfig(
    ctx.db,
    ownerId,
    {
      ...toWrite(input),
      configName: input.config_name,
      configType: input.config_type,
      workerType: input.worker_type,
      configData: data,
    },
    ctx.now,
  );
}

export async function getConfig(ctx: AppContext, ownerId: number, id: number) {
  const row = await findWorkerConfig(ctx.db, ownerId, id);
  if (!row) throw notFound("Worker config");
  return row;
}

export function listConfigs(ctx: AppContext, ownerId: number, q: Parameters<typeof listWorkerConfigs>[2]) {
  return listWorkerConfigs(ctx.db, ownerId, q);
}

export async function updateConfig(ctx: AppContext, ownerId: number, id: number, input: WorkerConfigInput) {
  const current = await getConfig(ctx, ownerId, id);
  checkWebhookUrl(ctx.env, input.config_type ?? current.configType, input.config_data ?? current.configData);
  const row = await updateWorkerConfig(ctx.db, ownerId, id, toWrite(input), ctx.now);
  if (!row) throw notFound("Worker config");
  return row;
}

/** Deleting a config deactivates it (the row stays, `is_active` false). */
export async function deactivateConfig(ctx: AppContext, ownerId: number, id: number) {
  const row = await updateWorkerConfig(ctx.db, ownerId, id, { isActive: false }, ctx.now);
  if (!row) throw notFound("Worker config");
  return row;
}

export async function assignConfigs(
  ctx: AppContext,
  ownerId: number,
  taskId: number,
  input: { config_ids: number[]; override_data?: Record<string, unknown> | null | undefined },
) {
  if (!(await findTask(ctx.db, ownerId, taskId))) throw notFound("Task");
  const ids = [...new Set(input.config_ids)];
  const found = new Set((await findOwnedConfigs(ctx.db, ownerId, ids)).map((c) => c.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw badRequest(`Worker config ${missing.join(", ")} not found`);
  return upsertAssignments(ctx.db, ownerId, taskId, ids, input.override_data ?? null, ctx.now);
}

/** A task's configs, highest priority first, each with its override merged over its data. */
export async function taskConfigs(ctx: AppContext, ownerId: number, taskId: number) {
  if (!(await findTask(ctx.db, ownerId, taskId))) throw notFound("Task");
  const rows = await findTaskConfigs(ctx.db, ownerId, taskId);
  return rows.map(({ config, overrideData }) => ({
    id: config.id,
    config_name: config.configName,
    config_type: config.configType,
    worker_type: config.workerType,
    priority: config.priority,
    config_data: { ...config.configData, ...(overrideData ?? {}) },
  }));
}
