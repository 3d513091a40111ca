import { Hono } from "hono";
import type { AppEnv } from "../platform/http/app-env";

let payload: unknown = { total: 0, items: [] };

/**
 * Baseline routes for the benchmarks: a bare Hono route that returns a captured JSON body with no
 * auth, D1 or Durable Object work (bench/api), and a bare single-row D1 UPDATE (bench/claim), on
 * the same server. They answer 404 unless the server was
 * started with ENABLE_BENCH_ROUTES=true (only the benchmark does that).
 */
export const benchRouter = new Hono<AppEnv>()
  .use("/__bench/*", async (c, next) => {
    if (c.env.ENABLE_BENCH_ROUTES !== "true") return c.notFound();
    await next();
  })
  .put("/__bench/payload", async (c) => {
    payload = await c.req.json();
    return c.body(null, 204);
  })
  .get("/__bench/bare", (c) => c.json(payload))
  // The claim benchmark's baseline: one single-row D1 UPDATE per request, nothing else.
  .post("/__bench/d1-update", async (c) => {
    const id = Number(c.req.query("id"));
    const result = await c.env.DB.prepare("UPDATE tasks SET updated_at = ? WHERE id = ?")
      .bind(Date.now(), id)
      .run();
    return c.json({ changed: result.meta.changes });
  });
