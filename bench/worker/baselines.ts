import { Hono } from "hono";
import type { AppEnv } from "../../worker/platform/http/app-env";

let payload: unknown = { total: 0, items: [] };

/**
 * Baselines for the benchmarks, on the same server as the API: a bare Hono route returning a
 * captured JSON body with no auth, D1 or Durable Object work (bench/api), and a bare single-row
 * D1 UPDATE (bench/claim). Only the bench Worker (bench/worker/index.ts, `wrangler --env bench`)
 * serves them; nothing of bench/ is in the deployed bundle (`npm run build:check` checks).
 */
export const baselinesRouter = new Hono<AppEnv>()
  .put("/__bench/payload", async (c) => {
    payload = await c.req.json();
    return c.body(null, 204);
  })
  .get("/__bench/bare", (c) => c.json(payload))
  // The claim benchmark's baseline: one single-row D1 UPDATE per request, nothing else. Raw D1 on
  // purpose: the baseline is the binding itself, without our query layer.
  .post("/__bench/d1-update", async (c) => {
    const id = Number(c.req.query("id"));
    const result = await c.env.DB.prepare("UPDATE tasks SET updated_at = ? WHERE id = ?")
      .bind(Date.now(), id)
      .run();
    return c.json({ changed: result.meta.changes });
  });
