import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { type ProgressFrame, ShortDramaClient } from "../sdk/src/index";
import { ffprobe } from "./helpers";

const SCRIPT = `场景1：公园 清晨
小明在湖边散步，阳光洒在水面上。
小明：今天天气真好。

场景2：咖啡馆 午后
小红坐在窗边看书，小明推门进来。
小红：你来了！
小明：我们去湖边走走吧。`;

describe("the whole stack: wrangler dev, the renderer on BullMQ and redis-server, through the SDK", () => {
  it("turns a Chinese script into a 720p MP4 watched live over WebSocket, downloaded through a signed URL", async () => {
    const client = new ShortDramaClient({ baseUrl: inject("apiUrl") });
    const email = `e2e-${Date.now()}@example.com`;
    await client.auth.register({ email, password: "SecurePassword123!", username: "e2e" });
    await client.auth.login({ email, password: "SecurePassword123!" });
    const project = await client.projects.create({
      name: "湖边的约定",
      description: "两个朋友的故事",
      script: SCRIPT,
      aspectRatio: "9:16",
    });
    const workflow = await client.workflows.start({
      projectId: project.id,
      workflowType: "full_production",
      options: { resolution: "720p" },
    });

    // Live progress over a real WebSocket: the snapshot, every step, the render's own progress.
    const frames: ProgressFrame[] = [];
    for await (const frame of client.workflows.watch(workflow.id)) frames.push(frame);
    expect(frames[0]?.type).toBe("snapshot");
    expect(frames.at(-1)).toMatchObject({ type: "workflow_completed", progress: 1 });
    expect(frames.filter((f) => f.type === "step_completed").map((f) => f.step)).toEqual([
      "script_parsing",
      "character_generation",
      "storyboard_generation",
      "video_rendering",
    ]);
    expect(frames.some((f) => f.type === "export_progress")).toBe(true);

    const history = await client.export.history();
    expect(history.total).toBe(1);
    const exportId = history.items[0]?.export_id ?? 0;
    const exp = await client.export.wait(exportId);
    expect(exp).toMatchObject({ status: "completed", resolution: "720p", format: "mp4", progress: 1 });
    const boards = await client.storyboards.list({ projectId: project.id });
    expect(boards.items).toHaveLength(2);
    expect(boards.items.every((b) => b.image_url)).toBe(true);
    const planned = boards.items.reduce((s, b) => s + b.duration, 0) - 0.5 * (boards.items.length - 1);

    // The signed URL as a browser would use it: whole, and seeking with Range.
    const dir = mkdtempSync(join(tmpdir(), "sds-e2e-"));
    const video = await fetch(exp.video_url ?? "");
    expect(video.status).toBe(200);
    expect(video.headers.get("content-type")).toBe("video/mp4");
    const file = join(dir, "export.mp4");
    writeFileSync(file, Buffer.from(await video.arrayBuffer()));
    expect((await fetch(exp.video_url ?? "", { headers: { Range: "bytes=0-1023" } })).status).toBe(206);

    const probe = ffprobe(file);
    expect(probe.videoCodec).toBe("h264");
    expect({ width: probe.width, height: probe.height }).toEqual({ width: 720, height: 1280 });
    expect(probe.audio).toBe(true);
    expect(Math.abs(probe.duration - planned)).toBeLessThan(0.25);
    expect(exp.duration).toBeCloseTo(planned, 1);
    expect(exp.file_size).toBe(statSync(file).size);

    const sheet = await fetch(exp.contact_sheet_url ?? "");
    expect(sheet.headers.get("content-type")).toBe("image/png");
    expect(await (await fetch(exp.subtitle_url ?? "")).text()).toContain("今天天气真好");

    // Charged once; the studio project is complete; the usage ledger has it.
    expect((await client.subscriptions.me()).quota_used).toBe(exp.cost);
    expect((await client.projects.get(project.id)).status).toBe("completed");
    expect((await client.billing.usage()).usage).toMatchObject({ video_exports: 1 });
  });
});
