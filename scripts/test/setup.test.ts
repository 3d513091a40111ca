import { spawnSync } from "node:child_process";
import { mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findMissing, hostFacts, probeChecks, which } from "../setup/probe.mjs";

const root = join(import.meta.dirname, "..", "..");

/** A PATH holding only these programs (as symlinks to the real ones): what a fresh machine would lack. */
function pathWith(programs: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "sds-path-"));
  for (const p of programs) {
    const real = which(p);
    if (real) symlinkSync(real, join(dir, p));
  }
  return dir;
}

describe("the probe", () => {
  it("remembers a success against its key, so a second run runs no check; a failure is looked at again", () => {
    const cacheFile = join(mkdtempSync(join(tmpdir(), "sds-probe-")), "probe.json");
    const runs = { a: 0, b: 0 };
    const checks = {
      a: { key: "a-v1", test: () => ++runs.a > 0 },
      b: { key: "b-v1", test: () => ++runs.b < 0 },
      gone: { key: null, test: () => true },
    };
    expect(findMissing(["a", "b", "gone"], { checks, cacheFile })).toEqual(["b", "gone"]);
    expect(findMissing(["a", "b", "gone"], { checks, cacheFile })).toEqual(["b", "gone"]);
    expect(runs).toEqual({ a: 1, b: 2 });
    // A changed key (ffmpeg upgraded, a package installed) is checked again.
    checks.a.key = "a-v2";
    findMissing(["a"], { checks, cacheFile });
    expect(runs.a).toBe(2);
  });

  it("finds this machine complete, and on a second run spawns no program at all", () => {
    const ids = ["ffmpeg", "redis", "cjk-font", "espeak-ng", "chromium", "python"];
    const ran: string[] = [];
    const checks = Object.fromEntries(
      Object.entries(probeChecks()).map(([id, c]) => [
        id,
        {
          key: c.key,
          test: () => {
            ran.push(id);
            return c.test();
          },
        },
      ]),
    );
    expect(findMissing(ids, { checks })).toEqual([]);
    ran.length = 0;
    expect(findMissing(ids, { checks })).toEqual([]);
    expect(ran).toEqual([]);
  });
});

describe("node scripts/setup/index.mjs on a machine without ffmpeg", () => {
  it("plans to install it with apt (or prints the one command to run) and installs nothing in a dry run", () => {
    const path = pathWith(["redis-server", "espeak-ng", "fc-match", "apt-get", "sudo", "python3"]);
    const r = spawnSync(process.execPath, ["scripts/setup/index.mjs", "dev", "--dry-run"], {
      cwd: root,
      env: { ...process.env, PATH: path, FFMPEG_PATH: "", FFPROBE_PATH: "" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    const out = `${r.stdout}${r.stderr}`.trim();
    const host = hostFacts({ askSudo: true });
    if (host.debianLike && (host.isRoot || host.passwordlessSudo)) {
      expect(out).toBe(
        "[setup] would install ffmpeg with apt, for: the renderer encodes every video with it (dry run: nothing installed)",
      );
    } else {
      expect(out).toMatch(/^\[setup\] missing ffmpeg \+ ffprobe .* — install with: .*ffmpeg/);
    }
  });

  it("exits 0 with no output when everything is present", () => {
    const r = spawnSync(process.execPath, ["scripts/setup/index.mjs", "test"], {
      cwd: root,
      encoding: "utf8",
    });
    expect({ status: r.status, out: `${r.stdout}${r.stderr}` }).toEqual({ status: 0, out: "" });
  });
});
