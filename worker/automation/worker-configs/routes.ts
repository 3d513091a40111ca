import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity } from "../../platform/openapi-responses";
import { operator, workerOrOperator } from "../access";
import { errors, IdParam, jsonBody, okResponse } from "../common";
import {
  AssignmentSchema,
  AssignSchema,
  ConfigSchema,
  CreateConfigSchema,
  ListConfigsQuery,
  TaskConfigsSchema,
  UpdateConfigSchema,
} from "./schemas";

const tags = ["Worker configs"];
const security = bearerSecurity;
const Params = z.object({ config_id: IdParam("config_id") });
const TaskParams = z.object({ task_id: IdParam("task_id") });
const one = okResponse(ConfigSchema, "WorkerConfigEnvelope", "The config");

export const createConfig = createRoute({
  method: "post",
  path: "/api/worker-configs",
  tags,
  security,
  middleware: operator,
  summary: "Create a worker config (n8n_workflow configs need a public config_data.webhook_url)",
  request: { body: jsonBody(CreateConfigSchema) },
  responses: { 200: one, ...errors(400, 401, 403, 429) },
});

export const listConfigs = createRoute({
  method: "get",
  path: "/api/worker-configs",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "List configs, highest priority first (worker_type, config_type, is_active, skip, limit)",
  request: { query: ListConfigsQuery },
  responses: {
    200: okResponse(z.array(ConfigSchema), "WorkerConfigListEnvelope", "Configs"),
    ...errors(400, 401, 403, 429),
  },
});

export const assignConfigs = createRoute({
  method: "post",
  path: "/api/worker-configs/tasks/{task_id}/assign",
  tags,
  security,
  middleware: operator,
  summary: "Assign configs to a task, with an override merged over their data",
  request: { params: TaskParams, body: jsonBody(AssignSchema) },
  responses: {
    200: okResponse(z.array(AssignmentSchema), "AssignmentListEnvelope", "The assignments"),
    ...errors(400, 401, 403, 404, 429),
  },
});

export const taskConfigs = createRoute({
  method: "get",
  path: "/api/worker-configs/tasks/{task_id}/configs",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "A task's active configs, merged with its overrides, highest priority first",
  request: { params: TaskParams },
  responses: {
    200: okResponse(TaskConfigsSchema, "TaskConfigsEnvelope", "The configs"),
    ...errors(401, 403, 404, 429),
  },
});

export const getConfig = createRoute({
  method: "get",
  path: "/api/worker-configs/{config_id}",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "One config",
  request: { params: Params },
  responses: { 200: one, ...errors(401, 403, 404, 429) },
});

export const updateConfig = createRoute({
  method: "put",
  path: "/api/worker-configs/{config_id}",
  tags,
  security,
  middleware: operator,
  summary: "Update a config",
  request: { params: Params, body: jsonBody(UpdateConfigSchema) },
  responses: { 200: one, ...errors(400, 401, 403, 404, 429) },
});

export const deleteConfig = createRoute({
  method: "delete",
  path: "/api/worker-configs/{config_id}",
  tags,
  security,
  middleware: operator,
  summary: "Delete a config (soft: is_active becomes false)",
  request: { params: Params },
  responses: { 200: one, ...errors(401, 403, 404, 429) },
});
