import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { api, ffprobe } from "./helpers";

const SCRIPT = `场景1：公园 清晨
小明在湖边散步，阳光洒在水面上。
小明：今天天气真好。

场景2：咖啡馆 午后
小红坐在窗边看书，小明推门进来。
小红：你来了！
小明：我们去湖边走走吧。`;

describe("the whole stack: wrangler dev, the renderer on BullMQ and redis-server", () => {
  it("turns a Chinese script into a 720p MP4 watched live over WebSocket, downloaded through a signed URL", async () => {
    const base = inject("apiUrl");
    const email = `e2e-${Date.now()}@example.com`;
    await api(base, "POST", "/api/v1/auth/register", {
      json: { email, password: "SecurePassword123!", username: "e2e" },
    });
    const { access_token: token } = await api(base, "POST", "/api/v1/auth/login", {
      json: { email, password: "SecurePassword123!" },
    });
    const project = await api(base, "POST", "/api/v1/projects", {
      token,
      json: { name: "湖边的约定", description: "两个朋友的故事", script: SCRIPT, aspect_ratio: "9:16" },
    });
    const wf = await api(base, "POST", "/api/v1/workflows", {
      token,
      json: { project_id: project.id, workflow_type: "full_production", options: { resolution: "720p" } },
    });

    // Live progress: the snapshot first, then every step, the render's own progress, the end.
    const frames: Record<string, any>[] = [];
    const ws = new WebSocket(`${base.replace(/^http/, "ws")}/ws/progress/${wf.id}?token=${token}`);
    const finished = new Promise<void>((resolve, reject) => {
      ws.onmessage = (e) => {
        const frame = JSON.parse(String(e.data));
        frames.push(frame);
        if (frame.type === "workflow_completed") resolve();
        if (frame.type === "workflow_failed") reject(new Error(JSON.stringify(frame)));
      };
      ws.onerror = () => reject(new Error("WebSocket error"));
    });
    await finished;
    ws.close();
    expect(frames[0]?.type).toBe("snapshot");
    const steps = frames.filter((f) => f.type === "step_completed").map((f) => f.step);
    expect(steps).toEqual([
      "script_parsing",
      "character_generation",
      "storyboard_generation",
      "video_rendering",
    ]);
    expect(frames.some((f) => f.type === "export_progress")).toBe(true);
    const percents = frames.filter((f) => typeof f.progress === "number").map((f) => f.progress);
    expect(percents.at(-1)).toBe(1);

    // The export: in history, complete, with a signed video URL that a download can follow.
    const history = await api(base, "GET", "/api/v1/export/history", { token });
    expect(history.total).toBe(1);
    const exp = await api(base, "GET", `/api/v1/export/${history.items[0].export_id}`, { token });
    expect(exp).toMatchObject({ status: "completed", resolution: "720p", format: "mp4", progress: 1 });
    const boards = await api(base, "GET", `/api/v1/storyboards?project_id=${project.id}`, { token });
    const items = (boards.items ?? boards) as { duration: number; image_url: string | null }[];
    expect(items).toHaveLength(2);
    expect(items.every((b) => b.image_url)).toBe(true);
    const planned = items.reduce((s, b) => s + b.duration, 0) - 0.5 * (items.length - 1);

    const dir = mkdtempSync(join(tmpdir(), "sds-e2e-"));
    const video = await fetch(exp.video_url);
    expect(video.status).toBe(200);
    expect(video.headers.get("content-type")).toBe("video/mp4");
    const file = join(dir, "export.mp4");
    writeFileSync(file, Buffer.from(await video.arrayBuffer()));
    const ranged = await fetch(exp.video_url, { headers: { Range: "bytes=0-1023" } });
    expect(ranged.status).toBe(206);

    const probe = ffprobe(file);
    expect(probe.videoCodec).toBe("h264");
    expect({ width: probe.width, height: probe.height }).toEqual({ width: 720, height: 1280 });
    expect(probe.audio).toBe(true);
    expect(Math.abs(probe.duration - planned)).toBeLessThan(0.25);
    expect(exp.duration).toBeCloseTo(planned, 1);
    expect(exp.file_size).toBe((await import("node:fs")).statSync(file).size);

    const sheet = await fetch(exp.contact_sheet_url);
    expect(sheet.headers.get("content-type")).toBe("image/png");
    const srt = await (await fetch(exp.subtitle_url)).text();
    expect(srt).toContain("今天天气真好");

    // Charged once, and the studio project is complete.
    const sub = await api(base, "GET", "/api/v1/subscriptions/me", { token });
    expect(sub.quota_used).toBe(exp.cost);
    expect((await api(base, "GET", `/api/v1/projects/${project.id}`, { token })).status).toBe("completed");
  });
});
