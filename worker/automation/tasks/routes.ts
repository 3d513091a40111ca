import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity } from "../../platform/openapi-responses";
import { operator, taskUpdater, workerOrOperator } from "../access";
import { errors, IdParam, jsonBody, okResponse } from "../common";
import {
  BatchCreateTasksSchema,
  BatchUpdateSchema,
  ClaimedTaskSchema,
  ClaimSchema,
  CreateTaskSchema,
  HeartbeatSchema,
  ListTasksQuery,
  TaskSchema,
  UpdateByCommitSchema,
  UpdateTaskSchema,
} from "./schemas";

const tags = ["Tasks"];
const security = bearerSecurity;
const TaskParams = z.object({ task_id: IdParam("task_id") });

export const createTask = createRoute({
  method: "post",
  path: "/api/tasks",
  tags,
  security,
  middleware: operator,
  summary: "Create a task (dependencies validated; waiting or pending from them)",
  request: { body: jsonBody(CreateTaskSchema) },
  responses: {
    200: okResponse(TaskSchema, "TaskEnvelope", "The task"),
    ...errors(400, 401, 403, 404, 409, 429),
  },
});

export const batchCreateTasks = createRoute({
  method: "post",
  path: "/api/tasks/batch",
  tags,
  security,
  middleware: operator,
  summary: "Create a task graph in one atomic batch (siblings by commit_id or {index})",
  request: { body: jsonBody(BatchCreateTasksSchema) },
  responses: {
    200: okResponse(z.array(TaskSchema), "TaskListEnvelope", "The tasks, in request order"),
    ...errors(400, 401, 403, 404, 409, 429),
  },
});

export const claimTask = createRoute({
  method: "post",
  path: "/api/tasks/claim",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "Claim the next task of the given types under a lease (code 1 when none)",
  description:
    "Atomic: of any number of concurrent claimers, each task goes to one. With `platform`, one unit of an " +
    "available account's daily quota is consumed and its decrypted credentials come with the task.",
  request: { body: jsonBody(ClaimSchema) },
  responses: {
    200: okResponse(ClaimedTaskSchema, "ClaimEnvelope", "A claimed task, or code 1"),
    ...errors(400, 401, 403, 429),
  },
});

export const batchUpdateTasks = createRoute({
  method: "patch",
  path: "/api/tasks/batch-update",
  tags,
  security,
  middleware: taskUpdater,
  summary: "Apply one update to the tasks with these commit ids (all or nothing)",
  request: { body: jsonBody(BatchUpdateSchema) },
  responses: {
    200: okResponse(z.array(TaskSchema), "TaskListEnvelope", "The tasks after the update"),
    ...errors(400, 401, 403, 404, 409, 429),
  },
});

export const updateByCommitId = createRoute({
  method: "patch",
  path: "/api/tasks/update-by-commit-id",
  tags,
  security,
  middleware: taskUpdater,
  summary: "Update the task with this commit id",
  request: { body: jsonBody(UpdateByCommitSchema) },
  responses: {
    200: okResponse(TaskSchema, "TaskEnvelope", "The task"),
    ...errors(400, 401, 403, 404, 409, 429),
  },
});

export const listTasks = createRoute({
  method: "get",
  path: "/api/tasks",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "List tasks (skip, limit, status, task_type, project_id)",
  request: { query: ListTasksQuery },
  responses: {
    200: okResponse(z.array(TaskSchema), "TaskListEnvelope", "Tasks"),
    ...errors(400, 401, 403, 429),
  },
});

export const getTask = createRoute({
  method: "get",
  path: "/api/tasks/{task_id}",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "One task",
  request: { params: TaskParams },
  responses: { 200: okResponse(TaskSchema, "TaskEnvelope", "The task"), ...errors(401, 403, 404, 429) },
});

export const updateTask = createRoute({
  method: "patch",
  path: "/api/tasks/{task_id}",
  tags,
  security,
  middleware: taskUpdater,
  summary: "Move a task through its state machine (workers send their lease_token)",
  request: { params: TaskParams, body: jsonBody(UpdateTaskSchema) },
  responses: {
    200: okResponse(TaskSchema, "TaskEnvelope", "The task"),
    ...errors(400, 401, 403, 404, 409, 429),
  },
});

export const heartbeat = createRoute({
  method: "post",
  path: "/api/tasks/{task_id}/heartbeat",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "Extend the lease of a claimed task",
  request: { params: TaskParams, body: jsonBody(HeartbeatSchema) },
  responses: {
    200: okResponse(TaskSchema, "TaskEnvelope", "The task with its new lease"),
    ...errors(400, 401, 403, 404, 429),
  },
});
