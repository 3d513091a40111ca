// Running wrangler from our scripts: the same binary, quiet and non-interactive, on this Node.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const wranglerBin = fileURLToPath(
  new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url),
);

/** CI=1 makes wrangler apply migrations without asking; metrics and update checks stay off. */
export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  NO_UPDATE_NOTIFIER: "1",
  CI: "1",
};

/** Applies the D1 migrations to the local database (or to the state under `persistTo`, of `env`). */
export function applyLocalMigrations({ persistTo, quiet = false, env } = {}) {
  const args = [wranglerBin, "d1", "migrations", "apply", "DB", "--local"];
  if (persistTo) args.push("--persist-to", persistTo);
  if (env) args.push("--env", env);
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    env: wranglerEnv,
    stdio: quiet ? "pipe" : "inherit",
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(
      `D1 migrations failed (exit ${result.status}):\n${result.stdout ?? ""}${result.stderr ?? ""}`,
    );
  }
}

/**
 * `wrangler dev` on 127.0.0.1:port, non-interactive, with `vars` as --var. Links the Worker hands
 * out (signed files, the renderer's upload and callback URLs) follow the port unless `vars` sets
 * PUBLIC_ORIGIN.
 */
export function wranglerDevArgs(port, vars = {}, extra = []) {
  const all = { PUBLIC_ORIGIN: `http://127.0.0.1:${port}`, ...vars };
  return [
    wranglerBin,
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--show-interactive-dev-session=false",
    ...extra,
    ...Object.entries(all).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
}
