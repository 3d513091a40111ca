import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity } from "../../platform/openapi-responses";
import { n8nCallback } from "../access";
import { errors, IdParam, jsonBody, okResponse } from "../common";
import {
  InspirationCallbackSchema,
  ProjectCreationCallbackSchema,
  ProjectExecutionCallbackSchema,
  TaskUpdateCallbackSchema,
  WebhookResultSchema,
} from "./schemas";

const tags = ["n8n webhooks"];
const security = bearerSecurity;
const middleware = n8nCallback;
const result = okResponse(
  WebhookResultSchema,
  "WebhookResultEnvelope",
  "Applied (or a replay of the same executionId)",
);
const description =
  "Applied once per executionId; a replay changes nothing and answers the same. Scope `webhooks`.";

export const inspirationWebhook = createRoute({
  method: "post",
  path: "/api/webhooks/n8n/inspiration/{inspiration_id}",
  tags,
  security,
  middleware,
  summary: "The inspiration workflow's result",
  description,
  request: {
    params: z.object({ inspiration_id: IdParam("inspiration_id") }),
    body: jsonBody(InspirationCallbackSchema),
  },
  responses: { 200: result, ...errors(400, 401, 403, 404, 429) },
});

export const projectCreationWebhook = createRoute({
  method: "post",
  path: "/api/webhooks/n8n/project_creation/{inspiration_id}",
  tags,
  security,
  middleware,
  summary: "The project-creation workflow's result: a project and its task graph, in one batch",
  description,
  request: {
    params: z.object({ inspiration_id: IdParam("inspiration_id") }),
    body: jsonBody(ProjectCreationCallbackSchema),
  },
  responses: { 200: result, ...errors(400, 401, 403, 404, 409, 429) },
});

export const projectExecutionWebhook = createRoute({
  method: "post",
  path: "/api/webhooks/n8n/project_execution/{project_id}",
  tags,
  security,
  middleware,
  summary: "The execution workflow's task and project updates",
  description: `${description} Updates that would move a finished task backwards are skipped (tasks_ignored).`,
  request: {
    params: z.object({ project_id: IdParam("project_id") }),
    body: jsonBody(ProjectExecutionCallbackSchema),
  },
  responses: { 200: result, ...errors(400, 401, 403, 404, 409, 429) },
});

export const taskUpdateWebhook = createRoute({
  method: "post",
  path: "/api/webhooks/n8n/task_update/{task_id}",
  tags,
  security,
  middleware,
  summary: "One task's result (idempotent: the same update twice changes nothing)",
  request: { params: z.object({ task_id: IdParam("task_id") }), body: jsonBody(TaskUpdateCallbackSchema) },
  responses: { 200: result, ...errors(400, 401, 403, 404, 409, 429) },
});
