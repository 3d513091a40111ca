import { Hono } from "hono";
import { RenderEventSchema } from "../../contracts/render-events";
import { verifyRequest } from "../../contracts/signing";
import { createContext } from "../core/context";
import { applyRenderEvent } from "../core/exports/render-events";
import { AppError } from "../platform/errors";
import type { AppEnv } from "../platform/http/app-env";

/**
 * `POST /internal/renders/{export_id}/events`: the renderer's progress, completion, failure and
 * cancellation, HMAC-signed like the Worker's requests to it (timestamp within 300 s). Each event
 * is applied idempotently (a retried or replayed event changes nothing more), so the renderer may
 * send it until it gets a 2xx.
 */
export const internalRendersRouter = new Hono<AppEnv>();

internalRendersRouter.post("/internal/renders/:export_id/events", async (c) => {
  const body = await c.req.text();
  const url = new URL(c.req.url);
  const check = await verifyRequest(c.env.RENDERER_SECRET, {
    method: "POST",
    path: url.pathname + url.search,
    body,
    headers: { get: (n) => c.req.header(n) ?? null },
  });
  if (!check.ok) throw new AppError("UNAUTHORIZED", `Invalid render event signature: ${check.reason}`);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new AppError("BAD_REQUEST", "The event is not JSON");
  }
  const parsed = RenderEventSchema.safeParse(json);
  if (!parsed.success) throw new AppError("BAD_REQUEST", "Not a render event");
  const idText = c.req.param("export_id");
  const exportId = /^\d{1,15}$/.test(idText) ? Number(idText) : 0;
  if (parsed.data.render_id !== `export-${exportId}`)
    throw new AppError("BAD_REQUEST", "The event is for another render");
  // The renderer calls back, not a user: links made while settling use PUBLIC_ORIGIN, as in the queue.
  const result = await applyRenderEvent(createContext(c.env), exportId, parsed.data);
  return c.json(result);
});
