// `wrangler dev` of the benchmark's Worker entry (bench/worker/workflow-entry.ts: the deployed
// Worker with the WorkflowRun host's benchmark subclass), on a free port with its own local state.
// The same configuration as `npm run dev`; only the entry differs, so nothing of it is deployed.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureDevVars } from "../../scripts/dev-vars.mjs";
import { applyLocalMigrations, root, wranglerDevArgs, wranglerEnv } from "../../scripts/wrangler.mjs";
import { freePort } from "../lib/services.mjs";

const ENTRY = "bench/worker/workflow-entry.ts";

export async function startBenchWorker(vars = {}) {
  ensureDevVars();
  const port = await freePort();
  const inspector = await freePort();
  const state = mkdtempSync(join(tmpdir(), "sds-bench-ws-"));
  applyLocalMigrations({ persistTo: state, quiet: true });
  const args = wranglerDevArgs(port, vars, [
    ENTRY,
    "--inspector-port",
    String(inspector),
    "--persist-to",
    state,
    "--log-level",
    "warn",
  ]);
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: wranglerEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`wrangler dev did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(state, { recursive: true, force: true });
    },
  };
}
