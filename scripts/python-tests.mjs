// `npm run test:python`: the Python SDK's tests (pytest) on the Python the set-up checks (PYTHON,
// else the checkout's .venv, else Debian's python3 with python3-httpx, -websockets and -pytest).
import { spawnSync } from "node:child_process";
import { pythonPath } from "./setup/probe.mjs";
import { root } from "./wrangler.mjs";

const python = pythonPath() ?? "python3";
const result = spawnSync(python, ["-m", "pytest", "sdk/python/tests", "-q", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
});
process.exit(result.status ?? 1);
