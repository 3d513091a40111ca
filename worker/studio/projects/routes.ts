import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { MessageSchema } from "../auth/schemas";
import { studioErrorResponses } from "../errors";
import { studioUser } from "../middleware/auth";
import {
  CreateProjectBodySchema,
  ListProjectsQuerySchema,
  ProjectDetailSchema,
  ProjectIdParamSchema,
  ProjectListSchema,
  ProjectSchema,
  ProjectWithScriptSchema,
  UpdateProjectBodySchema,
} from "./schemas";

const tags = ["Projects"];

export const createProject = createRoute({
  method: "post",
  path: "/api/v1/projects",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Create a project",
  request: { body: { required: true, content: { "application/json": { schema: CreateProjectBodySchema } } } },
  responses: {
    200: jsonResponse(ProjectSchema, "The new project"),
    ...studioErrorResponses(401, 403, 415, 422, 429),
  },
});

export const listProjects = createRoute({
  method: "get",
  path: "/api/v1/projects",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "List your projects, newest first",
  request: { query: ListProjectsQuerySchema },
  responses: {
    200: jsonResponse(ProjectListSchema, "A page of projects"),
    ...studioErrorResponses(401, 403, 422, 429),
  },
});

export const getProject = createRoute({
  method: "get",
  path: "/api/v1/projects/{project_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "A project with its script, characters and storyboards",
  request: { params: ProjectIdParamSchema },
  responses: {
    200: jsonResponse(ProjectDetailSchema, "The project"),
    ...studioErrorResponses(401, 403, 404, 429),
  },
});

export const updateProject = createRoute({
  method: "put",
  path: "/api/v1/projects/{project_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Update name, description, script or aspect ratio",
  request: {
    params: ProjectIdParamSchema,
    body: { required: true, content: { "application/json": { schema: UpdateProjectBodySchema } } },
  },
  responses: {
    200: jsonResponse(ProjectWithScriptSchema, "The updated project"),
    ...studioErrorResponses(401, 403, 404, 415, 422, 429),
  },
});

export const deleteProject = createRoute({
  method: "delete",
  path: "/api/v1/projects/{project_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Delete a project (soft delete)",
  request: { params: ProjectIdParamSchema },
  responses: { 200: jsonResponse(MessageSchema, "Deleted"), ...studioErrorResponses(401, 403, 404, 429) },
});
