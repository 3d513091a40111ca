// `npm run build:check`: `wrangler deploy --dry-run` for every deployed environment, so the bundle
// always builds (CI runs it), printing each bundle's size against the Workers limits, and failing if
// benchmark code reached a deployed bundle (it lives in bench/worker/, served only by `--env bench`).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, wranglerBin, wranglerEnv } from "./wrangler.mjs";

/** Strings only benchmark code contains (its routes); none may be in a deployed bundle. */
const BENCH_MARKERS = ["/__bench/"];
const FREE_PLAN_GZIP_KIB = 3 * 1024;
const PAID_PLAN_GZIP_KIB = 10 * 1024;
let failed = false;
for (const env of [null, "staging", "production"]) {
  const out = mkdtempSync(join(tmpdir(), "sds-bundle-"));
  const args = [wranglerBin, "deploy", "--dry-run", "--outdir", out, ...(env ? ["--env", env] : [])];
  const result = spawnSync(process.execPath, args, { cwd: root, env: wranglerEnv, encoding: "utf8" });
  const bundle = join(out, "index.js");
  const code = existsSync(bundle) ? readFileSync(bundle, "utf8") : "";
  rmSync(out, { recursive: true, force: true });
  const text = `${result.stdout}${result.stderr}`;
  const size = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(text);
  const name = env ?? "default (local)";
  if (result.status !== 0 || !size) {
    console.error(`✗ ${name}: wrangler deploy --dry-run failed\n${text}`);
    failed = true;
    continue;
  }
  const gzip = Number(size[2]);
  const plan =
    gzip <= FREE_PLAN_GZIP_KIB
      ? "fits the free plan (3 MiB)"
      : gzip <= PAID_PLAN_GZIP_KIB
        ? "needs the paid plan (10 MiB)"
        : "TOO LARGE";
  const leaked = BENCH_MARKERS.filter((m) => code.includes(m));
  if (leaked.length > 0) {
    console.error(`✗ ${name}: the deployed bundle contains benchmark code (${leaked.join(", ")})`);
    failed = true;
    continue;
  }
  console.log(`✓ ${name.padEnd(16)} bundle ${size[1]} KiB, gzip ${size[2]} KiB — ${plan}`);
  if (gzip > PAID_PLAN_GZIP_KIB) failed = true;
}
process.exit(failed ? 1 : 0);
