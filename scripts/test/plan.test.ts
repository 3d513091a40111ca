import { describe, expect, it } from "vitest";
import { NEEDS } from "../setup/needs.mjs";
import { installCommand, needsFor, planSetup } from "../setup/plan.mjs";

const debianRoot = {
  platform: "linux",
  debianLike: true,
  isRoot: true,
  passwordlessSudo: false,
  hasApt: true,
  hasBrew: false,
};
const debianUser = { ...debianRoot, isRoot: false };
const debianSudo = { ...debianUser, passwordlessSudo: true };
const macBrew = {
  platform: "darwin",
  debianLike: false,
  isRoot: false,
  passwordlessSudo: false,
  hasApt: false,
  hasBrew: true,
};
const macBare = { ...macBrew, hasBrew: false };
const otherLinux = { ...debianUser, debianLike: false, hasApt: false };

const all = (profile: "dev" | "test") => needsFor(profile).map((n) => n.id);

describe("the list of system needs", () => {
  it("is one list: dev needs the renderer's tools, test needs those and the browser and Python", () => {
    expect(all("dev")).toEqual(["ffmpeg", "redis", "cjk-font", "espeak-ng"]);
    expect(all("test")).toEqual([
      "ffmpeg",
      "redis",
      "cjk-font",
      "espeak-ng",
      "xmllint",
      "chromium",
      "python",
    ]);
    for (const need of NEEDS) {
      expect(need.apt.length, need.id).toBeGreaterThan(0);
      expect(need.brew.length + (need.brewCask?.length ?? 0), need.id).toBeGreaterThan(0);
    }
  });
});

describe("planSetup: what is present → what to install, or the one line to print", () => {
  it("does nothing when everything is present, on any host", () => {
    for (const host of [debianRoot, debianUser, debianSudo, macBrew, macBare, otherLinux]) {
      expect(planSetup({ profile: "test", missing: [], host })).toEqual({ action: "none" });
    }
  });

  it("ignores what the profile does not need (dev needs no Chromium)", () => {
    expect(planSetup({ profile: "dev", missing: ["chromium", "python"], host: debianRoot })).toEqual({
      action: "none",
    });
  });

  it("installs each missing piece with apt as root, naming it and why, and nothing else", () => {
    const expected: Record<string, string[]> = {
      ffmpeg: ["ffmpeg"],
      redis: ["redis-server"],
      "cjk-font": ["fonts-noto-cjk", "fontconfig"],
      "espeak-ng": ["espeak-ng"],
      xmllint: ["libxml2-utils"],
      chromium: ["chromium"],
      python: ["python3", "python3-httpx", "python3-websockets", "python3-pytest"],
    };
    for (const need of needsFor("test")) {
      const plan = planSetup({ profile: "test", missing: [need.id], host: debianRoot });
      expect(plan, need.id).toEqual({
        action: "apt",
        sudo: false,
        packages: expected[need.id],
        line: `[setup] installing ${expected[need.id]?.join(" ")} with apt, for: ${need.why}`,
      });
    }
  });

  it("installs everything at once on a fresh Debian machine as root", () => {
    const plan = planSetup({ profile: "test", missing: all("test"), host: debianRoot });
    expect(plan).toMatchObject({ action: "apt", sudo: false });
    expect(plan.action === "apt" && plan.packages).toEqual([
      "ffmpeg",
      "redis-server",
      "fonts-noto-cjk",
      "fontconfig",
      "espeak-ng",
      "libxml2-utils",
      "chromium",
      "python3",
      "python3-httpx",
      "python3-websockets",
      "python3-pytest",
    ]);
  });

  it("uses sudo on Debian when sudo needs no password", () => {
    const plan = planSetup({ profile: "dev", missing: ["ffmpeg", "redis"], host: debianSudo });
    expect(plan).toEqual({
      action: "apt",
      sudo: true,
      packages: ["ffmpeg", "redis-server"],
      line: "[setup] installing ffmpeg redis-server with apt, for: the renderer encodes every video with it; the renderer's job queue (BullMQ)",
    });
  });

  it("stops on Debian without root or passwordless sudo, with the exact apt command", () => {
    const plan = planSetup({ profile: "dev", missing: ["ffmpeg", "cjk-font"], host: debianUser });
    const command =
      "sudo apt-get update && sudo apt-get install -y --no-install-recommends ffmpeg fonts-noto-cjk fontconfig";
    expect(plan).toEqual({
      action: "stop",
      command,
      line: `[setup] missing ffmpeg + ffprobe (libx264, drawtext, xfade, zoompan, loudnorm) (the renderer encodes every video with it); a CJK font (Noto Sans CJK) (Chinese captions and cards) — install with: ${command}`,
    });
  });

  it("stops on macOS with the exact brew command, casks apart and Python in the checkout's .venv", () => {
    const plan = planSetup({ profile: "test", missing: all("test"), host: macBrew });
    const command =
      "brew install ffmpeg redis espeak-ng libxml2 python && brew install --cask font-noto-sans-cjk chromium && python3 -m venv .venv && .venv/bin/pip install httpx websockets pytest";
    expect(plan).toMatchObject({ action: "stop", command });
    expect(plan.action === "stop" && plan.line.endsWith(`— install with: ${command}`)).toBe(true);
    expect(installCommand(needsFor("dev").slice(0, 1), macBrew)).toBe("brew install ffmpeg");
  });

  it("says to install Homebrew first on a Mac without it", () => {
    const plan = planSetup({ profile: "dev", missing: ["redis"], host: macBare });
    expect(plan).toEqual({
      action: "stop",
      command: "install Homebrew (https://brew.sh), then brew install redis",
      line: "[setup] missing redis-server (the renderer's job queue (BullMQ)) — install with: install Homebrew (https://brew.sh), then brew install redis",
    });
  });

  it("names what is missing on a Linux it does not know, without guessing a package manager", () => {
    const plan = planSetup({ profile: "dev", missing: ["espeak-ng"], host: otherLinux });
    expect(plan).toEqual({
      action: "stop",
      command: null,
      line: "[setup] missing espeak-ng (the renderer's offline voices) — install them with your system's package manager (Debian's names: espeak-ng)",
    });
    // An apt-get without Debian's os-release is not trusted either.
    expect(
      planSetup({ profile: "dev", missing: ["ffmpeg"], host: { ...otherLinux, isRoot: true, hasApt: true } }),
    ).toMatchObject({ action: "stop" });
  });
});
