import * as webhooks from "../../core/n8n/webhooks";
import { notifyWorkflowOf } from "../../core/workflows/notify";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { ok } from "../envelope";
import * as routes from "./routes";

export const webhooksRouter = createRouter()
  .openapi(routes.inspirationWebhook, async (c) => {
    const body = c.req.valid("json");
    return ok(
      c,
      await webhooks.inspirationCallback(
        contextOf(c),
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
        contextOf(c),
        principalOf(c).userId,
        c.req.valid("param").inspiration_id,
        body,
      ),
    );
  })
  .openapi(routes.projectExecutionWebhook, async (c) => {
    const body = c.req.valid("json");
    const projectId = c.req.valid("param").project_id;
    const ctx = contextOf(c);
    const result = await webhooks.projectExecutionCallback(ctx, principalOf(c).userId, projectId, body);
    notifyWorkflowOf(ctx, { projectId });
    return ok(c, result);
  })
  .openapi(routes.taskUpdateWebhook, async (c) => {
    const ctx = contextOf(c);
    const result = await webhooks.taskUpdateCallback(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").task_id,
      c.req.valid("json"),
    );
    notifyWorkflowOf(ctx, { taskId: c.req.valid("param").task_id });
    return ok(c, result.response);
  });
