// `npm run test:python`: the Python SDK's tests (pytest) with Debian's python3, which has the
// packages they need (python3-httpx, python3-websockets, python3-pytest). PYTHON overrides it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { root } from "./wrangler.mjs";

const python = process.env.PYTHON ?? (existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3");
const result = spawnSync(python, ["-m", "pytest", "sdk/python/tests", "-q", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1" },
});
process.exit(result.status ?? 1);
