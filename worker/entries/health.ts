import { createRoute, z } from "@hono/zod-openapi";
import { pingDatabase } from "../db/ping";
import { contextOf } from "../platform/http/context";
import { createRouter } from "../platform/http/create-router";
import { iso } from "../platform/time";
import { studioErrorResponses } from "../studio/errors";

const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    version: z.string(),
    time: z.string(),
    checks: z.object({ d1: z.enum(["ok", "error"]) }),
  })
  .openapi("Health", {
    example: { status: "ok", version: "0.1.0", time: "2026-02-08T10:00:00Z", checks: { d1: "ok" } },
  });

export const VERSION = "0.1.0";

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Health"],
  summary: "Liveness and D1 reachability (not rate limited)",
  responses: {
    200: { description: "Healthy", content: { "application/json": { schema: HealthSchema } } },
    503: {
      description: "A dependency is failing",
      content: { "application/json": { schema: HealthSchema } },
    },
    ...studioErrorResponses(),
  },
});

export const healthRouter = createRouter().openapi(health, async (c) => {
  let d1: "ok" | "error" = "ok";
  try {
    await pingDatabase(contextOf(c).db);
  } catch {
    d1 = "error";
  }
  const body = {
    status: d1 === "ok" ? ("ok" as const) : ("degraded" as const),
    version: VERSION,
    time: iso(contextOf(c).now),
    checks: { d1 },
  };
  return d1 === "ok" ? c.json(body, 200) : c.json(body, 503);
});
