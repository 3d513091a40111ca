// `ensureSystem(profile)`: finds what this machine lacks for `npm run dev` ("dev") or `npm test`
// ("test") and installs it with apt on Debian/Ubuntu as root or with passwordless sudo; elsewhere it
// prints one line with the exact command. Nothing is downloaded outside the package managers.
//   node scripts/setup/index.mjs [dev|test] [--dry-run]   (exits 1 when something is still missing)
import { spawnSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { needsFor, planSetup } from "./plan.mjs";
import { findMissing, hostFacts } from "./probe.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const aptLog = join(root, "node_modules", ".cache", "sds-setup", "apt.log");

function apt(sudo, args) {
  const cmd = sudo ? "sudo" : "apt-get";
  const full = sudo ? ["-n", "apt-get", ...args] : args;
  appendFileSync(aptLog, `\n$ ${cmd} ${full.join(" ")}\n`);
  const r = spawnSync(cmd, full, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  appendFileSync(aptLog, `${r.stdout ?? ""}${r.stderr ?? ""}`);
  return r.status === 0;
}

function aptInstall(plan) {
  mkdirSync(dirname(aptLog), { recursive: true });
  writeFileSync(aptLog, "");
  console.log(`${plan.line} (apt output: ${aptLog})`);
  // Another apt (or a second `npm test`) may hold the lock: wait for it rather than fail.
  const lock = ["-o", "DPkg::Lock::Timeout=300"];
  const ok =
    apt(plan.sudo, ["update", "-qq", ...lock]) &&
    apt(plan.sudo, ["install", "-y", "-qq", "--no-install-recommends", ...lock, ...plan.packages]);
  if (!ok) {
    const tail = readFileSync(aptLog, "utf8").trim().split("\n").slice(-15).join("\n");
    console.error(`[setup] apt-get failed; the last lines of ${aptLog}:\n${tail}`);
  }
  return ok;
}

/**
 * @param {"dev" | "test"} profile
 * @param {{ dryRun?: boolean }} [opts] dryRun: say what would be installed, install nothing
 * @returns {{ ok: boolean, missing: string[], line: string | null }}
 */
export function ensureSystem(profile, opts = {}) {
  const ids = needsFor(profile).map((n) => n.id);
  let missing = findMissing(ids);
  if (missing.length === 0) return { ok: true, missing, line: null };
  const host = hostFacts({ askSudo: true });
  const plan = planSetup({ profile, missing, host });
  if (plan.action === "apt" && opts.dryRun) {
    const line = `${plan.line.replace("[setup] installing", "[setup] would install")} (dry run: nothing installed)`;
    console.log(line);
    return { ok: false, missing, line };
  }
  if (plan.action === "apt" && aptInstall(plan)) {
    missing = findMissing(ids);
    if (missing.length === 0) {
      console.log("[setup] done");
      return { ok: true, missing, line: null };
    }
  }
  // Nothing we may install ourselves, or apt could not (no network, a package this release lacks):
  // the one line with what is missing and the exact command for a person to run.
  const manual = planSetup({ profile, missing, host: { ...host, isRoot: false, passwordlessSudo: false } });
  const line = manual.action === "stop" ? manual.line : `[setup] still missing: ${missing.join(", ")}`;
  console.error(line);
  return { ok: false, missing, line };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const profile = process.argv.includes("dev") ? "dev" : "test";
  const started = performance.now();
  const { ok } = ensureSystem(profile, { dryRun: process.argv.includes("--dry-run") });
  if (process.env.SETUP_TIMING) console.log(`[setup] ${Math.round(performance.now() - started)} ms`);
  process.exit(ok ? 0 : 1);
}
