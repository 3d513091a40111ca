import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Debian's chromium (apt, see .ci/run); CHROMIUM_PATH overrides it. */
export async function launchChromium(args: string[] = []): Promise<Browser> {
  const executablePath =
    process.env.CHROMIUM_PATH ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
  if (!executablePath) throw new Error("No chromium found: install Debian's `chromium` or set CHROMIUM_PATH");
  // Tests run as root in CI, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath, args: ["--no-sandbox", ...args] });
}
