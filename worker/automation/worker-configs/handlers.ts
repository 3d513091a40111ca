import * as configs from "../../core/worker-configs/worker-configs";
import type { WorkerConfigRow } from "../../db/queries/worker-configs";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { storedJson } from "../../platform/json-schema";
import { iso } from "../../platform/time";
import { ok } from "../envelope";
import * as routes from "./routes";

function configOut(w: WorkerConfigRow) {
  return {
    id: w.id,
    config_name: w.configName,
    config_type: w.configType,
    worker_type: w.workerType,
    config_data: storedJson(w.configData, {}),
    description: w.description,
    priority: w.priority,
    is_active: w.isActive,
    created_at: iso(w.createdAt),
    updated_at: iso(w.updatedAt),
  };
}

export const workerConfigsRouter = createRouter()
  .openapi(routes.createConfig, async (c) => {
    return ok(
      c,
      configOut(await configs.createConfig(contextOf(c), principalOf(c).userId, c.req.valid("json"))),
    );
  })
  .openapi(routes.listConfigs, async (c) => {
    const q = c.req.valid("query");
    const rows = await configs.listConfigs(contextOf(c), principalOf(c).userId, {
      skip: q.skip,
      limit: q.limit,
      workerType: q.worker_type,
      configType: q.config_type,
      isActive: q.is_active,
    });
    return ok(c, rows.map(configOut));
  })
  .openapi(routes.assignConfigs, async (c) => {
    const rows = await configs.assignConfigs(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").task_id,
      c.req.valid("json"),
    );
    return ok(
      c,
      rows.map((a) => ({
        id: a.id,
        task_id: a.taskId,
        config_id: a.configId,
        override_data: storedJson(a.overrideData, null),
        created_at: iso(a.createdAt),
      })),
    );
  })
  .openapi(routes.taskConfigs, async (c) => {
    const taskId = c.req.valid("param").task_id;
    return ok(c, {
      task_id: taskId,
      configs: await configs.taskConfigs(contextOf(c), principalOf(c).userId, taskId),
    });
  })
  .openapi(routes.getConfig, async (c) => {
    return ok(
      c,
      configOut(await configs.getConfig(contextOf(c), principalOf(c).userId, c.req.valid("param").config_id)),
    );
  })
  .openapi(routes.updateConfig, async (c) => {
    const row = await configs.updateConfig(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").config_id,
      c.req.valid("json"),
    );
    return ok(c, configOut(row));
  })
  .openapi(routes.deleteConfig, async (c) => {
    return ok(
      c,
      configOut(
        await configs.deactivateConfig(contextOf(c), principalOf(c).userId, c.req.valid("param").config_id),
      ),
    );
  });
