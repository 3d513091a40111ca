// What this machine has: cheap file checks first; the checks that must run a program (ffmpeg's
// encoders and filters, fontconfig, Python imports) are cached against the fingerprint of the files
// they depend on, so a second run on a complete machine spawns nothing.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FFMPEG_ENCODERS, FFMPEG_FILTERS } from "./needs.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const cacheFile = join(root, "node_modules", ".cache", "sds-setup", "probe.json");

/** The first executable called `name` on PATH (or at an absolute path), else null. */
export function which(name) {
  if (name.includes("/")) return isFile(name) ? name : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isFile(candidate)) return candidate;
  }
  return null;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function stamp(path) {
  try {
    const s = statSync(path);
    return `${path}:${s.size}:${s.mtimeMs}`;
  } catch {
    return `${path}:-`;
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 20_000 });
  return { ok: r.status === 0, out: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

const DEBIAN_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";
function macFonts() {
  const dir = join(homedir(), "Library", "Fonts");
  try {
    return readdirSync(dir)
      .filter((f) => /NotoSansCJK/i.test(f))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The browser the browser tests drive (playwright-core drives any Chromium): CHROMIUM_PATH overrides it. */
export function chromiumPath() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  ];
  return candidates.find((p) => p && isFile(p)) ?? null;
}

/**
 * The Python the SDK's tests run on: PYTHON, else the checkout's own `.venv` (where the macOS
 * instructions install the packages, since Homebrew's Python refuses global pip installs), else
 * Debian's python3, which has them as python3-* packages.
 */
export function pythonPath() {
  if (process.env.PYTHON) return process.env.PYTHON;
  const venv = join(root, ".venv", "bin", "python");
  if (isFile(venv)) return venv;
  return isFile("/usr/bin/python3") ? "/usr/bin/python3" : which("python3");
}

/** Each check: `key` names the files its answer depends on; `test` runs only when the key changed. */
export function probeChecks() {
  const ffmpeg = process.env.FFMPEG_PATH ?? which("ffmpeg");
  const ffprobe = process.env.FFPROBE_PATH ?? which("ffprobe");
  const python = pythonPath();
  return {
    ffmpeg: {
      key: ffmpeg && ffprobe ? `${stamp(ffmpeg)}|${stamp(ffprobe)}` : null,
      test() {
        const enc = run(ffmpeg, ["-hide_banner", "-encoders"]);
        const fil = run(ffmpeg, ["-hide_banner", "-filters"]);
        const has = (out, name) => new RegExp(`\\s${name}\\s`).test(out);
        return (
          enc.ok &&
          fil.ok &&
          FFMPEG_ENCODERS.every((e) => has(enc.out, e)) &&
          FFMPEG_FILTERS.every((f) => has(fil.out, f))
        );
      },
    },
    redis: { key: which("redis-server") ? "redis" : null, test: () => true },
    "cjk-font": (() => {
      if (process.env.FONT_FILE)
        return { key: stamp(process.env.FONT_FILE), test: () => existsSync(process.env.FONT_FILE) };
      if (isFile(DEBIAN_CJK)) return { key: "debian", test: () => true };
      const mac = macFonts();
      if (mac.length) return { key: "mac", test: () => true };
      const fcMatch = which("fc-match");
      if (!fcMatch) return { key: null, test: () => false };
      return {
        key: `${stamp(fcMatch)}|${stamp("/etc/fonts")}`,
        test: () => /CJK/i.test(run(fcMatch, ["-f", "%{file}", "Noto Sans CJK SC:style=Bold"]).out),
      };
    })(),
    "espeak-ng": (() => {
      const espeak = process.env.ESPEAK_PATH ?? which("espeak-ng");
      return {
        key: espeak ? stamp(espeak) : null,
        test: () => /\bcmn\b/.test(run(espeak, ["--voices=cmn"]).out),
      };
    })(),
    xmllint: { key: which("xmllint") ? "xmllint" : null, test: () => true },
    chromium: { key: chromiumPath() ? "chromium" : null, test: () => true },
    python: {
      // Installing a Debian python3-* package touches dist-packages, so its mtime is part of the key.
      key: python ? `${stamp(python)}|${stamp("/usr/lib/python3/dist-packages")}` : null,
      test: () => run(python, ["-c", "import httpx, websockets, pytest"]).ok,
    },
  };
}

function readCache(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return {};
  }
}

/**
 * The ids of `ids` that this machine lacks. `opts` lets the tests pass their own checks and cache.
 * @param {string[]} ids
 * @param {{ checks?: Record<string, { key: string | null, test: () => boolean }>, cacheFile?: string }} [opts]
 */
export function findMissing(ids, opts = {}) {
  const all = opts.checks ?? probeChecks();
  const file = opts.cacheFile ?? cacheFile;
  const cache = readCache(file);
  const next = { ...cache };
  const missing = [];
  for (const id of ids) {
    const check = all[id];
    if (!check || check.key === null) {
      missing.push(id);
      continue;
    }
    // Only a success is remembered: a failure is always looked at again.
    if (cache[id] === check.key) continue;
    if (check.test()) next[id] = check.key;
    else missing.push(id);
  }
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(next));
  } catch {
    // a read-only checkout still works, only slower
  }
  return missing;
}

/** The facts `planSetup` decides on. `sudo -n` runs only when asked (it is the one slow check). */
export function hostFacts({ askSudo }) {
  let debianLike = false;
  try {
    const osRelease = readFileSync("/etc/os-release", "utf8");
    const ids = [...osRelease.matchAll(/^(?:ID|ID_LIKE)="?([^"\n]+)"?$/gm)].flatMap((m) => m[1].split(" "));
    debianLike = ids.some((id) => id === "debian" || id === "ubuntu");
  } catch {
    // not Linux, or no os-release
  }
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const hasSudo = which("sudo") !== null;
  return {
    platform: process.platform,
    debianLike,
    isRoot,
    passwordlessSudo: !isRoot && askSudo && hasSudo && run("sudo", ["-n", "true"]).ok,
    hasApt: which("apt-get") !== null,
    hasBrew: which("brew") !== null,
  };
}
