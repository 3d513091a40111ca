import * as webhooks from "../../core/n8n/webhooks";
import { notifyWorkflowOf } from "../../core/workflows/notify";
import { principalOf } from "../../platform/context";
import { createRouter } from "../../platform/create-router";
import { coreOf } from "../common";
import { ok } from "../envelope";
import * as routes from "./routes";

export const webhooksRouter = createRouter()
  .openapi(routes.inspirationWebhook, async (c) => {
    const body = c.req.valid("json");
    return ok(
      c,
      await webhooks.inspirationCallback(
        coreOf(c),
        principalOf(c).userId,
        c.req.valid("param").inspiration_id,
        body,
      ),
    );
  })
  .openapi(routes.projectCreationWebhook, async (c) => {
    const body = c.req.valid("json");
    return ok(
      c,
      await webhooks.projectCreationCallback(
        coreOf(c),
        principalOf(c).userId,
        c.req.valid("param").inspiration_id,
        body,
      ),
    );
  })
  .openapi(routes.projectExecutionWebhook, async (c) => {
    const body = c.req.valid("json");
    const projectId = c.req.valid("param").project_id;
    const ctx = coreOf(c);
    const result = await webhooks.projectExecutionCallback(ctx, principalOf(c).userId, projectId, body);
    notifyWorkflowOf({ ...ctx, defer: (w) => c.executionCtx.waitUntil(w) }, { projectId });
    return ok(c, result);
  })
  .openapi(routes.taskUpdateWebhook, async (c) => {
    const ctx = coreOf(c);
    const result = await webhooks.taskUpdateCallback(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").task_id,
      c.req.valid("json"),
    );
    notifyWorkflowOf(
      { ...ctx, defer: (w) => c.executionCtx.waitUntil(w) },
      { taskId: c.req.valid("param").task_id },
    );
    return ok(c, result.response);
  });
