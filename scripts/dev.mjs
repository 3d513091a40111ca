// `npm run dev`: the whole local stack on this machine, with no Cloudflare account and no network.
//  1. the system packages (scripts/setup/): installed with apt where we may, else one line saying how
//  2. .dev.vars with generated secrets (first run only)
//  3. local D1 migrations
//  4. redis-server, wrangler dev on http://localhost:8787 (PORT) and the renderer on
//     http://localhost:8788 (RENDERER_PORT), each restarted with backoff if it dies (dev-stack.mjs);
//     REDIS_URL uses a Redis of yours instead, REDIS_PORT / INSPECTOR_PORT pin the other ports
//  5. the cron trigger, fired every minute through /__scheduled
// A piece that is still missing does not stop the API: the renderer says what it lacks and answers
// what needs it with 503.

import { startDevStack } from "./dev-stack.mjs";
import { ensureDevVars } from "./dev-vars.mjs";
import { ensureSystem } from "./setup/index.mjs";

const { ok } = ensureSystem("dev");
if (!ok) console.log("[dev] starting anyway: the API serves, and the renderer names what it lacks");

const { added } = ensureDevVars();
if (added.length) console.log(`[dev] generated local secrets in .dev.vars: ${added.join(", ")}`);

const stack = await startDevStack({
  port: Number(process.env.PORT ?? 8787),
  rendererPort: Number(process.env.RENDERER_PORT ?? 8788),
  redisUrl: process.env.REDIS_URL || undefined,
  redisPort: process.env.REDIS_PORT ? Number(process.env.REDIS_PORT) : undefined,
  inspectorPort: process.env.INSPECTOR_PORT ? Number(process.env.INSPECTOR_PORT) : undefined,
});

let stopping = false;
async function shutdown() {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
