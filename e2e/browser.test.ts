import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";

const ARTIFACTS = join(import.meta.dirname, "artifacts");

describe("the browser progress page (/app/) in headless Chromium", () => {
  it("signs in, creates a project, watches a workflow live over WebSocket, shows storyboards and plays the video", async () => {
    const base = inject("apiUrl");
    const browser = await launchChromium(["--autoplay-policy=no-user-gesture-required"]);
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 1800 } });
      const sockets: string[] = [];
      page.on("websocket", (ws) => sockets.push(ws.url()));
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));

      await page.goto(`${base}/app/`);
      await page.fill('input[name="email"]', `browser-${Date.now()}@example.com`);
      await page.fill('input[name="password"]', "SecurePassword123!");
      await page.check('input[name="register"]');
      await page.click('#sign-in-form button[type="submit"]');
      await page.waitForSelector("#projects:not([hidden])");
      expect(await page.textContent("#who")).toContain("free");

      await page.click('#new-project button[type="submit"]');
      await page.waitForSelector("#workflow:not([hidden])");
      expect(await page.textContent("#project-title")).toBe("湖边的约定");
      await page.click("#start-workflow");

      // Steps fill in from WebSocket frames until the workflow completes.
      await page.waitForFunction(
        () => document.querySelector("#wf-status")?.textContent === "completed",
        null,
        {
          timeout: 120_000,
        },
      );
      expect(sockets.some((u) => /\/ws\/progress\/\d+\?token=/.test(u))).toBe(true);
      const steps = await page.$$eval("#steps li", (lis) =>
        lis.map((li) => [li.getAttribute("data-step"), li.getAttribute("data-status")]),
      );
      expect(steps).toEqual([
        ["script_parsing", "completed"],
        ["character_generation", "completed"],
        ["storyboard_generation", "completed"],
        ["video_rendering", "completed"],
      ]);
      expect(await page.$eval("#wf-progress", (p) => (p as HTMLProgressElement).value)).toBe(1);

      // Storyboard cards with their drawn images, loaded through signed URLs.
      await page.waitForFunction(() => {
        const imgs = [...document.querySelectorAll<HTMLImageElement>("#storyboards img")];
        return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0);
      });

      // The exported video plays: metadata loads through Range requests and time advances.
      await page.waitForSelector("#video:not([hidden])");
      const playable = await page.$eval("#video", (v) =>
        (v as HTMLVideoElement).canPlayType('video/mp4; codecs="avc1.64001f"'),
      );
      await page.waitForFunction(
        () => (document.querySelector("#video") as HTMLVideoElement).readyState >= 1,
        null,
        {
          timeout: 30_000,
        },
      );
      const duration = await page.$eval("#video", (v) => (v as HTMLVideoElement).duration);
      expect(duration).toBeGreaterThan(5);
      if (playable) {
        await page.$eval("#video", (v) => (v as HTMLVideoElement).play());
        await page.waitForFunction(
          () => (document.querySelector("#video") as HTMLVideoElement).currentTime > 0.2,
          null,
          {
            timeout: 30_000,
          },
        );
        await page.$eval("#video", (v) => (v as HTMLVideoElement).pause());
      }
      expect(errors).toEqual([]);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "progress-page.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  });
});
