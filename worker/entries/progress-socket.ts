import { Hono } from "hono";
import { CLOSE } from "../../contracts/workflow-frames";
import { liveStreamRequest } from "../../contracts/workflow-run";
import { authenticate, bearerToken, requireScope } from "../core/auth/principal";
import { policies, requestPermits } from "../core/rate-limits";
import { workflowRun } from "../core/workflows/run-stub";
import { findWorkflow } from "../db/queries/workflows";
import { AppError } from "../platform/errors";
import type { AppEnv } from "../platform/http/app-env";
import { contextOf } from "../platform/http/context";

/**
 * `GET /ws/progress/{workflow_id}?token=…` (the WebSocket API). The token (an access token or
 * an API key with the `studio` scope) is checked here, and only the workflow's owner is let through
 * to its WorkflowRun object. A refused socket is accepted and closed at once with a code and a
 * reason (4401 bad token, 4403 missing scope, 4404 no such workflow of yours, 4429 rate limited),
 * which a browser can read — an HTTP error before the upgrade reaches it only as code 1006.
 * Tokens arrive in the URL because browsers cannot set headers on a WebSocket: nothing here logs
 * URLs, and access tokens live an hour.
 */
export const progressSocketRouter = new Hono<AppEnv>();

function refuse(code: number, reason: string): Response {
  const pair = new WebSocketPair();
  const server = pair[1];
  server.accept();
  server.close(code, reason);
  return new Response(null, { status: 101, webSocket: pair[0] });
}

progressSocketRouter.get("/ws/progress/:workflow_id", async (c) => {
  if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
    throw new AppError("BAD_REQUEST", "Connect to this URL with a WebSocket (Upgrade: websocket)", {
      headers: { Upgrade: "websocket" },
    });
  }
  const ctx = contextOf(c);
  const token =
    c.req.query("token") ??
    (c.req.header("Authorization") ? bearerToken(c.req.header("Authorization")) : undefined);
  if (!token)
    return refuse(CLOSE.unauthorized, "Missing token: connect with ?token=<access token or API key>");
  let principal: Awaited<ReturnType<typeof authenticate>>;
  try {
    principal = await authenticate(ctx, token);
  } catch (err) {
    return refuse(CLOSE.unauthorized, err instanceof AppError ? err.message : "Invalid token");
  }
  try {
    requireScope(principal, "studio");
  } catch (err) {
    return refuse(CLOSE.forbidden, err instanceof AppError ? err.message : "Forbidden");
  }
  const policy = policies(ctx.config).studioUser(principal);
  const permit = await requestPermits(c.env).take(policy.name, { ...policy, meter: true }, ctx.now);
  if (!permit.allowed) return refuse(CLOSE.tooManyConnections, "Rate limit exceeded");

  const idText = c.req.param("workflow_id");
  const id = /^\d{1,15}$/.test(idText) ? Number(idText) : null;
  const workflow = id === null ? undefined : await findWorkflow(ctx.db, principal.userId, id);
  if (!workflow || id === null) return refuse(CLOSE.notFound, "Workflow not found");

  const { url, headers } = liveStreamRequest("ws", id, principal.userId, c.req.query("last_seq"));
  try {
    return await workflowRun(c.env, id).fetch(url, { headers });
  } catch {
    return refuse(1013, "Live progress is unavailable right now; reconnect shortly");
  }
});
