// The whole local stack on free ports, for end-to-end tests and benchmarks: a redis-server (for
// the renderer's BullMQ queue), `wrangler dev` with its own local D1/R2/DO/Queues state, and
// the renderer, wired to each other with the secrets of .dev.vars.
import { spawn } from "node:child_process";
import { readDevVars } from "../../scripts/dev-vars.mjs";
import { root } from "../../scripts/wrangler.mjs";
import { freePort, startRedis } from "./services.mjs";
import { startWrangler } from "./wrangler-server.mjs";

async function waitFor(check, what, child, output, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited early:\n${output()}`);
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} did not start in time:\n${output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startRenderer({ port, apiOrigin, redisUrl, env = {} }) {
  const child = spawn(process.execPath, ["--import", "tsx", "renderer/src/main.ts"], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      RENDERER_SECRET: readDevVars().RENDERER_SECRET,
      API_ORIGIN: apiOrigin,
      REDIS_URL: redisUrl,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => (await fetch(`${url}/healthz`)).ok,
    "the renderer",
    child,
    () => output,
  );
  return {
    url,
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
    },
  };
}

export async function startLocalStack() {
  const redis = await startRedis();
  const rendererPort = await freePort();
  // Local n8n (the n8n test's stand-in host) lives on a loopback address.
  const api = await startWrangler({
    vars: { RENDERER_URL: `http://127.0.0.1:${rendererPort}`, ALLOW_PRIVATE_WEBHOOK_URLS: "true" },
  });
  const renderer = await startRenderer({ port: rendererPort, apiOrigin: api.url, redisUrl: redis.url });
  return {
    apiUrl: api.url,
    rendererUrl: renderer.url,
    redisUrl: redis.url,
    output: () => `── wrangler\n${api.output()}\n── renderer\n${renderer.output()}`,
    async stop() {
      await renderer.stop();
      await api.stop();
      await redis.stop();
    },
  };
}
