import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, inject, it } from "vitest";
import { launchChromium } from "./chromium";

describe("the TypeScript SDK in a browser (headless Chromium)", () => {
  it("signs up, uploads a character from a Blob and watches a workflow over the browser's WebSocket", async () => {
    // The SDK as a browser bundle: no Node built-ins may leak into it.
    const bundle = await build({
      entryPoints: [join(import.meta.dirname, "..", "sdk", "src", "index.ts")],
      bundle: true,
      format: "iife",
      globalName: "ShortDramaSDK",
      platform: "browser",
      target: "es2022",
      write: false,
    });
    const code = bundle.outputFiles[0]?.text ?? "";
    expect(code).not.toMatch(/require\(["']node:/);
    const base = inject("apiUrl");
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/app/`);
      await page.addScriptTag({ content: code });
      const result = await page.evaluate(async () => {
        const { ShortDramaClient, NotFoundError } = (
          window as unknown as { ShortDramaSDK: typeof import("../sdk/src/index") }
        ).ShortDramaSDK;
        const client = new ShortDramaClient({ baseUrl: location.origin });
        const email = `browser-sdk-${Date.now()}@example.com`;
        await client.auth.register({ email, password: "SecurePassword123!", username: "b" });
        await client.auth.login({ email, password: "SecurePassword123!" });
        const project = await client.projects.create({ name: "浏览器", description: "一个场景：夜晚的屋顶" });
        // A picture drawn on a canvas, uploaded as a Blob.
        const canvas = document.createElement("canvas");
        canvas.width = 160;
        canvas.height = 200;
        const g = canvas.getContext("2d") as CanvasRenderingContext2D;
        g.fillStyle = "#c0561b";
        g.fillRect(0, 0, 160, 200);
        g.fillStyle = "#123456";
        g.fillRect(40, 40, 80, 120);
        const blob = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b as Blob), "image/png"));
        const character = await client.characters.create({
          projectId: project.id,
          name: "主角",
          image: blob,
        });
        const workflow = await client.workflows.start({ projectId: project.id, workflowType: "storyboard" });
        const types: string[] = [];
        for await (const frame of client.workflows.watch(workflow.id)) types.push(frame.type);
        let notFound = "";
        try {
          await client.projects.get("550e8400-e29b-41d4-a716-446655440000");
        } catch (e) {
          notFound = e instanceof NotFoundError ? (e.errorCode ?? "") : String(e);
        }
        return { character: character.name, types, notFound };
      });
      expect(result.character).toBe("主角");
      expect(result.types[0]).toBe("snapshot");
      expect(result.types.at(-1)).toBe("workflow_completed");
      expect(result.notFound).toBe("NOT_FOUND");
    } finally {
      await browser.close();
    }
  });
});
