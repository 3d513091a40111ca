import { createRoute } from "@hono/zod-openapi";
import { FrameSchema } from "../../../contracts/workflow-frames";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { studioErrorResponses } from "../errors";
import { studioStreamUser, studioUser } from "../middleware/auth";
import {
  ControlResultSchema,
  EstimateWorkflowBodySchema,
  EventsQuerySchema,
  IdempotencyHeaderSchema,
  ListWorkflowsQuerySchema,
  QuoteSchema,
  StartWorkflowBodySchema,
  WorkflowDetailSchema,
  WorkflowIdParamSchema,
  WorkflowListSchema,
  WorkflowSummarySchema,
} from "./schemas";

const tags = ["Workflows"];

export const startWorkflow = createRoute({
  method: "post",
  path: "/api/v1/workflows",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Start a workflow on a project",
  description:
    "Templates: full_production (script_parsing → character_generation → storyboard_generation → video_rendering), " +
    "storyboard (the first three), render (video_rendering). Honours Idempotency-Key. Watch it on " +
    "/ws/progress/{workflow_id} or /api/v1/workflows/{workflow_id}/events.",
  request: {
    headers: IdempotencyHeaderSchema,
    body: { required: true, content: { "application/json": { schema: StartWorkflowBodySchema } } },
  },
  responses: {
    200: jsonResponse(WorkflowSummarySchema, "The started workflow"),
    ...studioErrorResponses(400, 401, 402, 403, 404, 409, 415, 422, 429),
  },
});

export const estimateWorkflow = createRoute({
  method: "post",
  path: "/api/v1/workflows/estimate",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Quote a workflow before it runs",
  description:
    "The same body as POST /api/v1/workflows. Per step: items × the unit price of the step's provider (× takes), " +
    "plus the export. Nothing is started or reserved; pass quote_id to the start to refuse it if the quote changed.",
  request: {
    body: { required: true, content: { "application/json": { schema: EstimateWorkflowBodySchema } } },
  },
  responses: {
    200: jsonResponse(QuoteSchema, "The quote"),
    ...studioErrorResponses(400, 401, 403, 404, 415, 422, 429),
  },
});

export const listWorkflows = createRoute({
  method: "get",
  path: "/api/v1/workflows",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Your workflows, newest first, optionally of one project",
  request: { query: ListWorkflowsQuerySchema },
  responses: {
    200: jsonResponse(WorkflowListSchema, "Workflows"),
    ...studioErrorResponses(401, 403, 422, 429),
  },
});

export const getWorkflow = createRoute({
  method: "get",
  path: "/api/v1/workflows/{workflow_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "A workflow's status, steps with timestamps and item counts",
  request: { params: WorkflowIdParamSchema },
  responses: {
    200: jsonResponse(WorkflowDetailSchema, "The workflow"),
    ...studioErrorResponses(401, 403, 404, 429, 503),
  },
});

const control = (action: "pause" | "resume" | "cancel" | "retry", summary: string) =>
  createRoute({
    method: "post",
    path: `/api/v1/workflows/{workflow_id}/${action}`,
    tags,
    security: bearerSecurity,
    middleware: studioUser,
    summary,
    request: { params: WorkflowIdParamSchema },
    responses: {
      200: jsonResponse(ControlResultSchema, "The workflow's new status"),
      ...studioErrorResponses(401, 403, 404, 409, 429, 503),
    },
  });

export const pauseWorkflow = control(
  "pause",
  "Pause: running items finish, nothing new starts or can be claimed (409 when finished)",
);
export const resumeWorkflow = control("resume", "Resume a paused workflow");
export const cancelWorkflow = control(
  "cancel",
  "Cancel: unfinished items are cancelled and running renders stopped",
);
export const retryWorkflow = control(
  "retry",
  "Retry a failed workflow from its failed step; finished items are kept",
);

export const workflowEvents = createRoute({
  method: "get",
  path: "/api/v1/workflows/{workflow_id}/events",
  tags,
  security: bearerSecurity,
  middleware: studioStreamUser,
  summary: "Live progress as Server-Sent Events (for clients without WebSocket)",
  description:
    "The frames of the WebSocket API, one SSE event each (`id` = seq, `event` = frame type). Reconnecting with " +
    "Last-Event-ID (EventSource does it) or ?last_seq= replays what was missed.",
  request: { params: WorkflowIdParamSchema, query: EventsQuerySchema },
  responses: {
    200: {
      description: "An event stream: `id: <seq>`, `event: <type>`, `data: <ProgressFrame as JSON>`",
      content: { "text/event-stream": { schema: FrameSchema } },
    },
    ...studioErrorResponses(401, 403, 404, 429, 503),
  },
});
