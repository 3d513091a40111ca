// The set-up's decision, as a pure function: what is present on this machine → what to install, or
// the one line to print when we cannot install it ourselves. Unit-tested in scripts/test/.
import { NEEDS } from "./needs.mjs";

/**
 * @typedef {{
 *   platform: string,          // process.platform
 *   debianLike: boolean,       // /etc/os-release says debian or ubuntu (ID or ID_LIKE)
 *   isRoot: boolean,
 *   passwordlessSudo: boolean, // `sudo -n true` succeeds
 *   hasApt: boolean,
 *   hasBrew: boolean,
 * }} HostFacts
 * @typedef {{ action: "none" }
 *   | { action: "apt", sudo: boolean, packages: string[], line: string }
 *   | { action: "stop", line: string, command: string | null }} SetupPlan
 */

/** The needs of a profile: `test` needs everything `dev` does, and more. */
export function needsFor(profile) {
  return NEEDS.filter((n) => n.profiles.includes(profile));
}

function unique(items) {
  return [...new Set(items)];
}

function describe(needs) {
  return needs.map((n) => `${n.what} (${n.why})`).join("; ");
}

/** The exact command a person runs to install `needs` here, or null when we know of none. */
export function installCommand(needs, host) {
  if (host.debianLike && host.hasApt) {
    const pkgs = unique(needs.flatMap((n) => n.apt)).join(" ");
    return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${pkgs}`;
  }
  if (host.platform === "darwin") {
    const parts = [];
    const formulas = unique(needs.flatMap((n) => n.brew));
    const casks = unique(needs.flatMap((n) => n.brewCask ?? []));
    if (formulas.length) parts.push(`brew install ${formulas.join(" ")}`);
    if (casks.length) parts.push(`brew install --cask ${casks.join(" ")}`);
    // Homebrew's Python refuses global pip installs (PEP 668); the tests look in the checkout's .venv.
    if (needs.some((n) => n.id === "python"))
      parts.push("python3 -m venv .venv && .venv/bin/pip install httpx websockets pytest");
    const command = parts.join(" && ");
    return host.hasBrew ? command : `install Homebrew (https://brew.sh), then ${command}`;
  }
  return null;
}

/**
 * @param {{ profile: "dev" | "test", missing: string[], host: HostFacts }} input
 * @returns {SetupPlan}
 */
export function planSetup({ profile, missing, host }) {
  const needs = needsFor(profile).filter((n) => missing.includes(n.id));
  if (needs.length === 0) return { action: "none" };
  const canApt = host.debianLike && host.hasApt && (host.isRoot || host.passwordlessSudo);
  if (canApt) {
    const packages = unique(needs.flatMap((n) => n.apt));
    return {
      action: "apt",
      sudo: !host.isRoot,
      packages,
      line: `[setup] installing ${packages.join(" ")} with apt, for: ${needs.map((n) => n.why).join("; ")}`,
    };
  }
  const command = installCommand(needs, host);
  const debianNames = unique(needs.flatMap((n) => n.apt)).join(" ");
  const how = command
    ? `install with: ${command}`
    : `install them with your system's package manager (Debian's names: ${debianNames})`;
  return { action: "stop", command, line: `[setup] missing ${describe(needs)} — ${how}` };
}
