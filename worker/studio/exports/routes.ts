import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { studioErrorResponses } from "../errors";
import { studioUser } from "../middleware/auth";
import { IdempotencyHeaderSchema } from "../workflows/schemas";
import {
  CancelledSchema,
  EstimateBodySchema,
  EstimateSchema,
  ExportBodySchema,
  ExportIdParamSchema,
  ExportSchema,
  ExportStartedSchema,
  HistoryQuerySchema,
  HistorySchema,
} from "./schemas";

const tags = ["Export"];
const json = <S>(schema: S) => ({ required: true, content: { "application/json": { schema } } });

export const estimate = createRoute({
  method: "post",
  path: "/api/v1/export/estimate",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Estimate an export's cost and render time",
  request: { body: json(EstimateBodySchema) },
  responses: {
    200: jsonResponse(EstimateSchema, "The estimate"),
    ...studioErrorResponses(401, 403, 404, 415, 422, 429),
  },
});

export const startExport = createRoute({
  method: "post",
  path: "/api/v1/export",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Export the project's storyboards as a video",
  description:
    "Reserves the credits at once (402 QUOTA_EXCEEDED when short) and renders in the background; scenes without an image " +
    "become text cards. Honours Idempotency-Key. Progress on /ws/progress/{workflow_id}.",
  request: { headers: IdempotencyHeaderSchema, body: json(ExportBodySchema) },
  responses: {
    200: jsonResponse(ExportStartedSchema, "The export"),
    ...studioErrorResponses(400, 401, 402, 403, 404, 409, 415, 422, 429),
  },
});

export const history = createRoute({
  method: "get",
  path: "/api/v1/export/history",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Your exports, newest first",
  request: { query: HistoryQuerySchema },
  responses: { 200: jsonResponse(HistorySchema, "Exports"), ...studioErrorResponses(401, 403, 422, 429) },
});

export const getExport = createRoute({
  method: "get",
  path: "/api/v1/export/{export_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "An export's status and, once complete, its files",
  request: { params: ExportIdParamSchema },
  responses: { 200: jsonResponse(ExportSchema, "The export"), ...studioErrorResponses(401, 403, 404, 429) },
});

export const cancel = createRoute({
  method: "post",
  path: "/api/v1/export/{export_id}/cancel",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Cancel an export (credits returned; the workflow running it is cancelled)",
  request: { params: ExportIdParamSchema },
  responses: {
    200: jsonResponse(CancelledSchema, "Cancelled"),
    ...studioErrorResponses(401, 403, 404, 409, 429),
  },
});
