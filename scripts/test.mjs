// `npm test`: everything CI checks, in order, stopping at the first failure: the system packages
// first (scripts/setup/), then lint, typecheck, the tools' tests, the Worker tests inside workerd
// (real D1, R2, Durable Objects, Queues), the renderer tests (real ffmpeg, real redis-server), the
// end-to-end run of the whole local stack and the Python SDK's tests.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureSystem } from "./setup/index.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

// ffmpeg, redis-server, the CJK font, Chromium and the Python test packages (scripts/setup/).
if (!ensureSystem("test").ok) process.exit(1);

const steps = [
  ["lint (biome, layers, dead code, file sizes)", ["run", "-s", "lint"]],
  ["typecheck (tsc --strict)", ["run", "-s", "typecheck"]],
  ["SDK types match the OpenAPI snapshot", ["run", "-s", "sdk:check"]],
  ["bundle builds for every environment (wrangler deploy --dry-run)", ["run", "-s", "build:check"]],
  ["tools: set-up, dev supervisor, docs (vitest in Node)", ["run", "-s", "test:tools"]],
  ["unit tests of pure core modules (vitest in Node)", ["run", "-s", "test:unit"]],
  ["worker tests (vitest in workerd)", ["run", "-s", "test:worker"]],
  ["renderer tests (real ffmpeg and redis-server)", ["run", "-s", "test:renderer"]],
  [
    "end-to-end (wrangler dev + renderer on BullMQ/redis-server): SDK, browser, n8n",
    ["run", "-s", "test:e2e"],
  ],
  ["Python SDK (pytest against the local stack)", ["run", "-s", "test:python"]],
];

for (const [name, args] of steps) {
  const started = Date.now();
  console.log(`\n━━ ${name}`);
  const result = spawnSync(npm, args, { cwd: root, stdio: "inherit", env: process.env });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (result.status !== 0) {
    console.error(`\n✗ ${name} failed after ${seconds}s`);
    process.exit(result.status ?? 1);
  }
  console.log(`✓ ${name} (${seconds}s)`);
}
