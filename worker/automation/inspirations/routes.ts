import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity } from "../../platform/openapi-responses";
import { operator } from "../access";
import { errors, IdParam, jsonBody, MessageData, okResponse } from "../common";
import {
  ApproveSchema,
  CreateInspirationSchema,
  InspirationSchema,
  ListInspirationsQuery,
  RegenerateInspirationSchema,
  RejectSchema,
  UpdateInspirationSchema,
} from "./schemas";

const tags = ["Inspirations"];
const security = bearerSecurity;
const middleware = operator;
const Params = z.object({ inspiration_id: IdParam("inspiration_id") });
const one = okResponse(InspirationSchema, "InspirationEnvelope", "The inspiration");

export const createInspiration = createRoute({
  method: "post",
  path: "/api/inspirations",
  tags,
  security,
  middleware,
  summary: "Create an inspiration (draft) and trigger the n8n inspiration workflow",
  request: { body: jsonBody(CreateInspirationSchema) },
  responses: { 200: one, ...errors(400, 401, 403, 429) },
});

export const listInspirations = createRoute({
  method: "get",
  path: "/api/inspirations",
  tags,
  security,
  middleware,
  summary: "List inspirations (skip, limit, status)",
  request: { query: ListInspirationsQuery },
  responses: {
    200: okResponse(z.array(InspirationSchema), "InspirationListEnvelope", "Inspirations"),
    ...errors(400, 401, 403, 429),
  },
});

export const getInspiration = createRoute({
  method: "get",
  path: "/api/inspirations/{inspiration_id}",
  tags,
  security,
  middleware,
  summary: "One inspiration",
  request: { params: Params },
  responses: { 200: one, ...errors(401, 403, 404, 429) },
});

export const updateInspiration = createRoute({
  method: "put",
  path: "/api/inspirations/{inspiration_id}",
  tags,
  security,
  middleware,
  summary: "Update an inspiration (status changes follow its state machine)",
  request: { params: Params, body: jsonBody(UpdateInspirationSchema) },
  responses: { 200: one, ...errors(400, 401, 403, 404, 409, 429) },
});

export const deleteInspiration = createRoute({
  method: "delete",
  path: "/api/inspirations/{inspiration_id}",
  tags,
  security,
  middleware,
  summary: "Delete an inspiration (soft delete)",
  request: { params: Params },
  responses: { 200: okResponse(MessageData, "MessageEnvelope", "Deleted"), ...errors(401, 403, 404, 429) },
});

export const approveInspiration = createRoute({
  method: "post",
  path: "/api/inspirations/{inspiration_id}/approve",
  tags,
  security,
  middleware,
  summary: "Approve (from draft or pending_review) and trigger the project-creation workflow",
  request: { params: Params, body: jsonBody(ApproveSchema, false) },
  responses: { 200: one, ...errors(400, 401, 403, 404, 409, 429) },
});

export const rejectInspiration = createRoute({
  method: "post",
  path: "/api/inspirations/{inspiration_id}/reject",
  tags,
  security,
  middleware,
  summary: "Reject (from draft or pending_review)",
  request: { params: Params, body: jsonBody(RejectSchema, false) },
  responses: { 200: one, ...errors(400, 401, 403, 404, 409, 429) },
});

export const regenerateInspiration = createRoute({
  method: "post",
  path: "/api/inspirations/{inspiration_id}/regenerate",
  tags,
  security,
  middleware,
  summary: "Merge parameter_overrides and trigger the inspiration workflow again",
  request: { params: Params, body: jsonBody(RegenerateInspirationSchema, false) },
  responses: { 200: one, ...errors(400, 401, 403, 404, 409, 429) },
});
