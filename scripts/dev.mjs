// `npm run dev`: the whole local stack on this machine, with no Cloudflare account and no network.
//  1. .dev.vars with generated secrets (first run only)
//  2. local D1 migrations
//  3. wrangler dev on http://localhost:8787 (local D1, R2, Durable Objects, Queues)
//  4. the renderer on http://localhost:8788 (in-process queue, or BullMQ when REDIS_URL is set)
//  5. the cron trigger, fired every minute through /__scheduled so local behaviour matches production
import { spawn } from "node:child_process";
import { ensureDevVars, readDevVars } from "./dev-vars.mjs";
import { applyLocalMigrations, root, wranglerDevArgs, wranglerEnv } from "./wrangler.mjs";

const port = Number(process.env.PORT ?? 8787);
const rendererPort = Number(process.env.RENDERER_PORT ?? 8788);

const { added } = ensureDevVars();
if (added.length) console.log(`[dev] generated local secrets in .dev.vars: ${added.join(", ")}`);

console.log("[dev] applying local D1 migrations");
applyLocalMigrations();

const children = [];
function start(name, args, extraEnv = {}) {
  const child = spawn(process.execPath, args, {
    cwd: root,
    stdio: "inherit",
    env: { ...wranglerEnv, CI: process.env.CI ?? "", ...extraEnv },
  });
  child.on("exit", (code, signal) => {
    console.log(`[dev] ${name} exited (${signal ?? code})`);
    shutdown(code ?? 1);
  });
  children.push(child);
  return child;
}

start(
  "wrangler",
  wranglerDevArgs(
    port,
    {
      // A local n8n (http://localhost:5678) is a private address; allow it in development only.
      ALLOW_PRIVATE_WEBHOOK_URLS: "true",
      RENDERER_URL: `http://127.0.0.1:${rendererPort}`,
    },
    ["--test-scheduled"],
  ),
);

start("renderer", ["--import", "tsx", "renderer/src/main.ts"], {
  PORT: String(rendererPort),
  RENDERER_SECRET: readDevVars().RENDERER_SECRET,
  API_ORIGIN: `http://127.0.0.1:${port}`,
});

const cron = setInterval(async () => {
  try {
    await fetch(`http://127.0.0.1:${port}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`);
  } catch {
    // wrangler is still starting
  }
}, 60_000);

let stopping = false;
function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  clearInterval(cron);
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 500).unref();
}
process.on("SIGINT", () => shutdown(0));
process.on("SIGTERM", () => shutdown(0));
