// Starts `wrangler dev` on a free port with its own local state, for benchmarks and end-to-end runs
// (`env: "bench"` runs the bench Worker, bench/worker/index.ts, with its baseline routes).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevVars } from "../../scripts/dev-vars.mjs";
import { applyLocalMigrations, root, wranglerDevArgs, wranglerEnv } from "../../scripts/wrangler.mjs";
import { freePort } from "./services.mjs";

/** @param {{ vars?: Record<string,string>, port?: number, env?: string }} opts `vars` as in wranglerDevArgs */
export async function startWrangler(opts = {}) {
  ensureDevVars();
  const port = opts.port ?? (await freePort());
  const inspector = await freePort();
  const state = mkdtempSync(join(tmpdir(), "sds-wrangler-"));
  applyLocalMigrations({ persistTo: state, quiet: true, env: opts.env });
  const child = spawn(
    process.execPath,
    wranglerDevArgs(port, opts.vars, [
      "--inspector-port",
      String(inspector),
      "--persist-to",
      state,
      "--log-level",
      "warn",
      ...(opts.env ? ["--env", opts.env] : []),
    ]),
    { cwd: root, env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`wrangler dev did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    pid: child.pid,
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(state, { recursive: true, force: true });
    },
  };
}
