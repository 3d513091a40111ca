import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity } from "../../platform/openapi-responses";
import { operator } from "../access";
import { errors, IdParam, jsonBody, MessageData, okResponse } from "../common";
import {
  CreateProjectSchema,
  ListProjectsQuery,
  PipelineProjectDetailSchema,
  PipelineProjectSchema,
  RegenerateResultSchema,
  RegenerateSchema,
  UpdateProjectSchema,
} from "./schemas";

const tags = ["Pipeline projects"];
const security = bearerSecurity;
const middleware = operator;
const Params = z.object({ project_id: IdParam("project_id") });
const detail = okResponse(
  PipelineProjectDetailSchema,
  "PipelineProjectEnvelope",
  "The project with its tasks",
);

export const createProject = createRoute({
  method: "post",
  path: "/projects",
  tags,
  security,
  middleware,
  summary: "Create a pipeline project, optionally with its task graph",
  request: { body: jsonBody(CreateProjectSchema) },
  responses: { 200: detail, ...errors(400, 401, 403, 409, 429) },
});

export const listProjects = createRoute({
  method: "get",
  path: "/projects",
  tags,
  security,
  middleware,
  summary: "List pipeline projects",
  request: { query: ListProjectsQuery },
  responses: {
    200: okResponse(z.array(PipelineProjectSchema), "PipelineProjectListEnvelope", "Projects"),
    ...errors(400, 401, 403, 429),
  },
});

export const getProject = createRoute({
  method: "get",
  path: "/projects/{project_id}",
  tags,
  security,
  middleware,
  summary: "A pipeline project with its tasks",
  request: { params: Params },
  responses: { 200: detail, ...errors(401, 403, 404, 429) },
});

export const updateProject = createRoute({
  method: "put",
  path: "/projects/{project_id}",
  tags,
  security,
  middleware,
  summary: "Update a pipeline project (status moves only along the allowed transitions)",
  request: { params: Params, body: jsonBody(UpdateProjectSchema) },
  responses: { 200: detail, ...errors(400, 401, 403, 404, 409, 429) },
});

export const deleteProject = createRoute({
  method: "delete",
  path: "/projects/{project_id}",
  tags,
  security,
  middleware,
  summary: "Delete a pipeline project (soft delete)",
  request: { params: Params },
  responses: { 200: okResponse(MessageData, "MessageEnvelope", "Deleted"), ...errors(401, 403, 404, 429) },
});

export const recalculateTasks = createRoute({
  method: "post",
  path: "/projects/{project_id}/recalculate-tasks",
  tags,
  security,
  middleware,
  summary: "Recount the task counters and status from the tasks",
  request: { params: Params },
  responses: { 200: detail, ...errors(401, 403, 404, 429) },
});

export const regenerateProject = createRoute({
  method: "post",
  path: "/projects/{project_id}/regenerate",
  tags,
  security,
  middleware,
  summary: "Retry failed tasks and trigger the n8n execution workflow",
  request: { params: Params, body: jsonBody(RegenerateSchema, false) },
  responses: {
    200: okResponse(RegenerateResultSchema, "RegenerateProjectEnvelope", "Triggered"),
    ...errors(400, 401, 403, 404, 429),
  },
});
