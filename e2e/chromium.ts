import { type Browser, chromium } from "playwright-core";
import { chromiumPath } from "../scripts/setup/probe.mjs";

/** The Chromium the set-up checks for (Debian's `chromium`, or CHROMIUM_PATH). */
export async function launchChromium(args: string[] = []): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath)
    throw new Error("No Chromium found: run `node scripts/setup/index.mjs test`, or set CHROMIUM_PATH");
  // Tests run as root in CI, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath, args: ["--no-sandbox", ...args] });
}
