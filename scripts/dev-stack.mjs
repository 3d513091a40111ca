// The processes of `npm run dev`, each supervised: a redis-server for the renderer's BullMQ queue,
// `wrangler dev` (local D1, R2, Durable Objects, Queues) and the renderer. A child that dies is
// named in one line with the last thing it said, and started again after a backoff that doubles
// (1 s, 2 s, 4 s … 30 s), so one crash never takes the others down, and never silently.
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { exponentialBackoff } from "../contracts/backoff.ts";
import { freePort, redisServerArgs } from "../tools/local-stack/services.mjs";
import { readDevVars } from "./dev-vars.mjs";
import { applyLocalMigrations, root, wranglerDevArgs, wranglerEnv } from "./wrangler.mjs";

/** The last line a process wrote, as one line: a JSON log line's `msg`, else the text itself. */
export function lastWords(text) {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1) ?? "";
  try {
    const parsed = JSON.parse(last);
    if (parsed && typeof parsed.msg === "string") return parsed.msg;
  } catch {
    // not a JSON log line
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips terminal colour codes
  return last.replace(/\u001b\[[0-9;]*m/g, "").slice(0, 300);
}

const seconds = (ms) => `${Number((ms / 1000).toFixed(2))} s`;

/**
 * Runs `command` and keeps it running.
 * @param {{
 *   name: string, command: string, args: string[], env?: NodeJS.ProcessEnv,
 *   log: (line: string) => void, output: { stdout: { write(d: unknown): unknown }, stderr: { write(d: unknown): unknown } },
 *   baseMs?: number, maxMs?: number,
 * }} opts
 */
export function supervise(opts) {
  const { name, command, args, env = process.env, log, output } = opts;
  const baseMs = opts.baseMs ?? 1000;
  const maxMs = opts.maxMs ?? 30_000;
  const state = { starts: 0, deaths: 0, restarts: 0, child: null, timer: null, stopped: false };

  const start = () => {
    state.starts++;
    const startedAt = Date.now();
    let stderr = "";
    let stdout = "";
    let ended = false;
    const child = spawn(command, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    state.child = child;
    // Only the tail matters: what a process says last is why it died.
    child.stdout.on("data", (d) => {
      output.stdout.write(d);
      stdout = (stdout + d).slice(-4000);
    });
    child.stderr.on("data", (d) => {
      output.stderr.write(d);
      stderr = (stderr + d).slice(-4000);
    });
    const end = (how, why, retry) => {
      if (ended) return;
      ended = true;
      state.child = null;
      if (state.stopped) return;
      state.deaths++;
      // A child that stayed up a while was healthy: its next crash starts the backoff over.
      if (Date.now() - startedAt >= maxMs) state.restarts = 0;
      if (!retry) {
        log(`[dev] ${name} could not start: ${why}`);
        return;
      }
      const delay = exponentialBackoff(state.restarts++, baseMs, maxMs);
      log(`[dev] ${name} exited (${how})${why ? `: ${why}` : ""} — restarting in ${seconds(delay)}`);
      state.timer = setTimeout(start, delay);
    };
    // A command that is not installed will not appear by retrying; the set-up said how to get it.
    child.on("error", (err) => end("error", err.message, err.code !== "ENOENT"));
    // Killed by a signal, the last line on stdout is only whatever it logged last, not why.
    child.on("close", (code, signal) =>
      end(
        signal ? `signal ${signal}` : `code ${code}`,
        lastWords(stderr) || (signal ? "" : lastWords(stdout)),
        true,
      ),
    );
  };

  start();
  return {
    name,
    get starts() {
      return state.starts;
    },
    get deaths() {
      return state.deaths;
    },
    get running() {
      return state.child !== null;
    },
    /** No more restarts: what exits from now on is being stopped (Ctrl-C reaches every child at once). */
    hold() {
      state.stopped = true;
      clearTimeout(state.timer);
    },
    async stop() {
      this.hold();
      const child = state.child;
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("close", r));
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

async function answers(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.json().catch(() => null) };
  } catch {
    return null;
  }
}

/**
 * @param {{
 *   port?: number, rendererPort?: number, redisUrl?: string, redisPort?: number, redisDir?: string,
 *   persistTo?: string, inspectorPort?: number, rendererCommand?: string[], rendererEnv?: Record<string, string>,
 *   baseMs?: number, maxMs?: number, cronMs?: number, log?: (line: string) => void,
 *   output?: { stdout: { write(d: unknown): unknown }, stderr: { write(d: unknown): unknown } },
 * }} [opts]
 */
export async function startDevStack(opts = {}) {
  const port = opts.port ?? 8787;
  const rendererPort = opts.rendererPort ?? 8788;
  const log = opts.log ?? ((line) => console.log(line));
  const output = opts.output ?? { stdout: process.stdout, stderr: process.stderr };
  const common = { log, output, baseMs: opts.baseMs, maxMs: opts.maxMs };
  const apiUrl = `http://127.0.0.1:${port}`;
  const rendererUrl = `http://127.0.0.1:${rendererPort}`;

  log("[dev] applying local D1 migrations");
  applyLocalMigrations({ persistTo: opts.persistTo, quiet: true });

  const services = [];
  let redisUrl = opts.redisUrl;
  if (!redisUrl) {
    // Its own port and an append-only file beside wrangler's local state: queued renders survive a
    // restart of `npm run dev`, and a system redis on 6379 is left alone.
    const redisPort = opts.redisPort ?? (await freePort());
    const dir = opts.redisDir ?? join(root, ".wrangler", "redis");
    mkdirSync(dir, { recursive: true });
    redisUrl = `redis://127.0.0.1:${redisPort}`;
    services.push(
      supervise({
        ...common,
        name: "redis-server",
        command: "redis-server",
        args: redisServerArgs(redisPort, dir),
      }),
    );
  }

  const extra = ["--test-scheduled"];
  if (opts.persistTo) extra.push("--persist-to", opts.persistTo);
  if (opts.inspectorPort) extra.push("--inspector-port", String(opts.inspectorPort));
  const vars = {
    // A local n8n (http://localhost:5678) is a private address; allow it in development only.
    ALLOW_PRIVATE_WEBHOOK_URLS: "true",
    RENDERER_URL: rendererUrl,
  };
  services.push(
    supervise({
      ...common,
      name: "wrangler",
      command: process.execPath,
      args: wranglerDevArgs(port, vars, extra),
      env: { ...wranglerEnv, CI: process.env.CI ?? "" },
    }),
  );

  const [rendererCmd, ...rendererArgs] = opts.rendererCommand ?? [
    process.execPath,
    "--import",
    "tsx",
    "renderer/src/main.ts",
  ];
  const renderer = supervise({
    ...common,
    name: "renderer",
    command: rendererCmd,
    args: rendererArgs,
    env: {
      ...process.env,
      PORT: String(rendererPort),
      RENDERER_SECRET: readDevVars().RENDERER_SECRET,
      API_ORIGIN: apiUrl,
      REDIS_URL: redisUrl,
      ...opts.rendererEnv,
    },
  });
  services.push(renderer);

  // The cron trigger, fired through /__scheduled so local behaviour matches production.
  const cron = setInterval(() => {
    fetch(`${apiUrl}/__scheduled?cron=${encodeURIComponent("*/5 * * * *")}`).catch(() => {});
  }, opts.cronMs ?? 60_000);

  // One line once both answer (or after a minute): where things are, and what the renderer lacks.
  let stopped = false;
  const ready = (async () => {
    const deadline = Date.now() + 60_000;
    let api = null;
    let health = null;
    while (!stopped && Date.now() < deadline) {
      api ??= (await answers(`${apiUrl}/health`))?.status === 200 ? true : null;
      health = await answers(`${rendererUrl}/healthz`);
      // A renderer that keeps dying will not answer: say so now rather than after the deadline.
      if (api && (health || renderer.deaths >= 3)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    if (stopped) return;
    const missing = health?.body?.missing ?? [];
    const rendererState = !health
      ? `not answering${renderer.deaths ? ` (it exited ${renderer.deaths} times, see above)` : ""}`
      : missing.length === 0
        ? "ready"
        : `degraded, missing: ${missing.join("; ")}`;
    log(
      `[dev] API ${api ? apiUrl : "not answering"} (docs ${apiUrl}/api/docs) · renderer ${rendererUrl} ${rendererState}`,
    );
  })();

  return {
    apiUrl,
    rendererUrl,
    redisUrl,
    ready,
    service: (name) => services.find((s) => s.name === name),
    async stop() {
      stopped = true;
      clearInterval(cron);
      for (const s of services) s.hold();
      // The renderer first (it hands its jobs back to Redis), then the API, then Redis.
      for (const s of [...services].reverse()) await s.stop();
    },
  };
}
