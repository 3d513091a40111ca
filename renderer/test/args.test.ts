import { describe, expect, it } from "vitest";
import { readImageHeader } from "../../contracts/image-header";
import { canvasSize, videoLength } from "../../contracts/render-spec";
import { signRequest, verifyRequest } from "../../contracts/signing";
import { planTimeline, toSrt, toVtt } from "../../contracts/timeline";
import { buildCardPlan } from "../src/cards/card-plan";
import {
  buildAudioPlan,
  buildChunkPlan,
  buildContactSheetPlan,
  buildMuxPlan,
  buildPosterPlan,
  captionMetrics,
  frameGrid,
  kenBurns,
  planChunks,
  planToArgs,
} from "../src/ffmpeg/args";
import { audioOptions, videoOptions } from "../src/ffmpeg/encoder";
import { filterPath } from "../src/ffmpeg/escape";
import { toCommand } from "../src/ffmpeg/run";
import { textWidth, wrapText } from "../src/ffmpeg/text";

const FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";

describe("canvas and length", () => {
  it("derives the canvas from resolution × aspect ratio", () => {
    expect(canvasSize("1080p", "9:16")).toEqual({ width: 1080, height: 1920 });
    expect(canvasSize("720p", "16:9")).toEqual({ width: 1280, height: 720 });
    expect(canvasSize("720p", "1:1")).toEqual({ width: 720, height: 720 });
    expect(canvasSize("1080p", "4:3")).toEqual({ width: 1440, height: 1080 });
    expect(canvasSize("4k", "3:4")).toEqual({ width: 2160, height: 2880 });
    expect(canvasSize("4k", "16:9")).toEqual({ width: 3840, height: 2160 });
  });

  it("counts video length as scene durations minus 0.5 s per crossfade", () => {
    expect(videoLength([4, 4, 4])).toBe(11);
    expect(videoLength([5])).toBe(5);
    expect(videoLength(Array(10).fill(4))).toBe(35.5);
    expect(videoLength([])).toBe(0);
  });
});

describe("timeline and subtitles", () => {
  it("places scenes and switches captions in the middle of each crossfade", () => {
    const t = planTimeline([
      { duration: 4, caption: "第一句" },
      { duration: 3 },
      { duration: 5, caption: "Third line" },
    ]);
    expect(t.total).toBe(11);
    expect(t.slots.map((s) => s.start)).toEqual([0, 3.5, 6]);
    expect(t.cues).toEqual([
      { index: 0, start: 0, end: 3.75, text: "第一句" },
      { index: 2, start: 6.25, end: 11, text: "Third line" },
    ]);
    expect(toSrt(t.cues)).toBe(
      "1\n00:00:00,000 --> 00:00:03,750\n第一句\n\n2\n00:00:06,250 --> 00:00:11,000\nThird line\n",
    );
    expect(toVtt(t.cues)).toBe(
      "WEBVTT\n\n00:00:00.000 --> 00:00:03.750\n第一句\n\n00:00:06.250 --> 00:00:11.000\nThird line\n",
    );
  });
});

describe("text wrapping", () => {
  it("wraps CJK by width and keeps Latin words whole, closing punctuation on its line", () => {
    expect(wrapText("雨夜里她终于推开了那扇门", 6)).toEqual(["雨夜里她终于", "推开了那扇门"]);
    expect(wrapText("你好，世界", 2)).toEqual(["你好，", "世界"]);
    const latin = wrapText("Alice walks through the rainy park tonight", 10);
    for (const line of latin) expect(textWidth(line)).toBeLessThanOrEqual(10.5);
    expect(latin.join(" ")).toBe("Alice walks through the rainy park tonight");
    expect(wrapText("a".repeat(40), 5).length).toBeGreaterThan(4);
    expect(wrapText("一二三四五六七八九十", 2, 2)).toEqual(["一二", "三…"]);
    expect(wrapText("", 10)).toEqual([]);
  });
});

describe("render plan", () => {
  const timeline = planTimeline([
    { duration: 2, caption: "a" },
    { duration: 2 },
    { duration: 3, caption: "c" },
  ]);
  const scenes = [
    { image: "/w/scene-000.png", captionFile: "/w/caption-0.txt" },
    { image: "/w/scene-001.png" },
    { image: "/w/scene-002.png", captionFile: "/w/caption-2.txt" },
  ];
  const base = {
    width: 720,
    height: 1280,
    fps: 30,
    scenes,
    timeline,
    fontFile: FONT,
    encoder: "libx264" as const,
  };
  const whole = buildChunkPlan({ ...base, chunk: { start: 0, end: 180 }, output: "/w/chunk-0.ts" });

  it("is deterministic and pure: the same input gives the same arguments", () => {
    const again = buildChunkPlan({ ...base, chunk: { start: 0, end: 180 }, output: "/w/chunk-0.ts" });
    expect(planToArgs(again)).toEqual(planToArgs(whole));
  });

  it("moves every scene, burns only the captions it has, and cuts crossfades out of the scenes", () => {
    const graph = whole.filterComplex ?? "";
    expect(graph.match(/zoompan=/g)).toHaveLength(3);
    expect(graph.match(/drawtext=/g)).toHaveLength(2);
    // Scene 0: body then tail; scene 1: head, body, tail; scene 2: head then body.
    expect(graph).toContain("[t0]trim=start_frame=45:end_frame=60,setpts=PTS-STARTPTS[t0x]");
    expect(graph).toContain("[h1]trim=start_frame=0:end_frame=15,setpts=PTS-STARTPTS[h1x]");
    expect(graph).toContain("[b1]trim=start_frame=15:end_frame=45,setpts=PTS-STARTPTS[b1x]");
    expect(graph).toContain("[t0x][h1x]xfade=transition=fade:duration=0.5000:offset=0[f0]");
    expect(graph).toContain("[b0x][f0][b1x][f1][b2x]concat=n=5:v=1:a=0[vout]");
    expect(graph).toContain("d=60:s=720x1280:fps=30");
    expect(graph).toContain("d=90:s=720x1280:fps=30");
    expect(whole.outputOptions).toEqual([
      "-map",
      "[vout]",
      ...videoOptions("libx264", 30),
      "-frames:v",
      "180",
      "-f",
      "mpegts",
    ]);
  });

  it("splits into chunks cut inside scene bodies; a chunk renders only its frames of each scene", () => {
    const chunks = planChunks(timeline, 30, 1);
    expect(chunks).toEqual([
      { start: 0, end: 61 },
      { start: 61, end: 120 },
      { start: 120, end: 180 },
    ]);
    const middle = buildChunkPlan({
      ...base,
      chunk: chunks[1] as { start: number; end: number },
      output: "/w/chunk-1.ts",
    });
    expect(middle.inputs.map((i) => i.source)).toEqual(["/w/scene-001.png", "/w/scene-002.png"]);
    // Scene 1 from its frame 16 (the cut: crossfades are never cut) to its end; scene 2 its head
    // and the start of its body.
    expect(middle.filterComplex).toContain("z='1.15-0.15*(on+16)/59'");
    expect(middle.filterComplex).toContain(":d=44:s=720x1280");
    expect(middle.filterComplex).toContain(":d=30:s=720x1280");
    expect(middle.filterComplex).toContain("[b1x][f1][b2x]concat=n=3");
    expect(middle.outputOptions).toContain("59");
    // Every frame of the video is in exactly one chunk.
    expect(chunks.reduce((n, c) => n + c.end - c.start, 0)).toBe(Math.round(timeline.total * 30));
    expect(planChunks(timeline, 30, 3)).toEqual([{ start: 0, end: 180 }]);
    // One per core even when the scenes would fit in one chunk, balanced in frames.
    expect(planChunks(timeline, 30, 3, 2)).toEqual([
      { start: 0, end: 89 },
      { start: 89, end: 180 },
    ]);
  });

  it("rounds scene boundaries on the frame grid so the frame count is exact for any durations", () => {
    const odd = planTimeline([
      { duration: 2.37 },
      { duration: 1.01 },
      { duration: 3.333 },
      { duration: 1.5 },
    ]);
    for (const fps of [24, 25, 30, 60]) {
      const grid = frameGrid(odd, fps);
      const frames = grid.reduce(
        (sum: number, g: { frames: number; overlapNext: number }) => sum + g.frames - g.overlapNext,
        0,
      );
      expect(frames).toBe(Math.round(odd.total * fps));
      for (const [i, g] of grid.entries()) {
        expect(
          g.frames - g.overlapNext - (i > 0 ? (grid[i - 1]?.overlapNext ?? 0) : 0),
        ).toBeGreaterThanOrEqual(0);
      }
      const chunks = planChunks(odd, fps, 1);
      expect(chunks.reduce((n, c) => n + c.end - c.start, 0)).toBe(Math.round(odd.total * fps));
    }
  });

  it("alternates zoom in and out and the pan direction, per scene index", () => {
    expect(kenBurns(0, 120, 1080, 1920, 30)).toContain("z='1+0.15*on/119'");
    expect(kenBurns(1, 120, 1080, 1920, 30)).toContain("z='1.15-0.15*on/119'");
    expect(kenBurns(0, 120, 1080, 1920, 30)).toContain("+(1)*");
    expect(kenBurns(2, 120, 1080, 1920, 30)).toContain("+(-1)*");
    expect(kenBurns(4, 120, 1080, 1920, 30)).toEqual(kenBurns(0, 120, 1080, 1920, 30));
    expect(kenBurns(0, 120, 1080, 1920, 30, 60, 60)).toContain("z='1+0.15*(on+60)/119'");
  });

  it("encodes the audio once: music looped, trimmed and faded, or silence", () => {
    const music = buildAudioPlan("/w/music", 8, "libx264", "/w/audio.m4a");
    expect(music.inputs).toEqual([{ source: "/w/music", options: ["-stream_loop", "-1"] }]);
    expect(music.filterComplex).toContain(
      "atrim=0:8.000,asetpts=PTS-STARTPTS,afade=t=in:st=0:d=1.000,afade=t=out:st=7.000:d=1.000",
    );
    expect(music.outputOptions).toEqual([
      "-map",
      "[aout]",
      "-c:a",
      "aac",
      "-b:a",
      "128k",
      "-f",
      "mp4",
      "-t",
      "8.000",
    ]);
    const silence = buildAudioPlan(null, 6, "libvpx-vp9", "/w/audio.webm");
    expect(silence.inputs[0]).toEqual({
      source: "anullsrc=r=48000:cl=stereo",
      options: ["-f", "lavfi", "-t", "6.000"],
    });
    expect(silence.outputOptions).toContain("libopus");
  });

  it("joins chunks and audio by stream copy, with +faststart for MP4", () => {
    expect(planToArgs(buildMuxPlan("/w/chunks.txt", "/w/audio.m4a", 6, "libx264", "/w/video.mp4"))).toEqual([
      "-f",
      "concat",
      "-safe",
      "0",
      "-i",
      "/w/chunks.txt",
      "-i",
      "/w/audio.m4a",
      "-y",
      "-map",
      "0:v",
      "-map",
      "1:a",
      "-c",
      "copy",
      "-movflags",
      "+faststart",
      "-t",
      "6.000",
      "/w/video.mp4",
    ]);
  });

  it("is exactly what fluent-ffmpeg runs", () => {
    const bin = { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" };
    const plans = [
      whole,
      buildAudioPlan("/w/m", 6, "libx264", "/w/a.m4a"),
      buildMuxPlan("/w/l.txt", "/w/a.m4a", 6, "libx264", "/w/v.mp4"),
      buildPosterPlan("/w/v.mp4", 6, "/w/p.jpg"),
      buildContactSheetPlan("/w/scene-%03d.png", 3, 720, 1280, "/w/s.png"),
    ];
    for (const p of plans) {
      expect((toCommand(p, bin) as unknown as { _getArguments(): string[] })._getArguments()).toEqual(
        planToArgs(p),
      );
    }
  });

  it("sizes captions to the canvas", () => {
    expect(captionMetrics(1080, 1920)).toEqual({ fontSize: 64, border: 5, maxLineWidth: 14 });
    expect(captionMetrics(1280, 720).fontSize).toBe(43);
  });

  it("uses the reference's encoder settings for libx264, and VP9/Opus for WebM", () => {
    expect(videoOptions("libx264", 30)).toEqual([
      "-c:v",
      "libx264",
      "-preset",
      "veryfast",
      "-crf",
      "23",
      "-pix_fmt",
      "yuv420p",
      "-r",
      "30",
    ]);
    expect(audioOptions("libx264")).toEqual(["-c:a", "aac", "-b:a", "128k", "-f", "mp4"]);
    expect(videoOptions("libvpx-vp9", 24)).toContain("libvpx-vp9");
    expect(audioOptions("libvpx-vp9")).toContain("libopus");
    expect(videoOptions("h264_nvenc", 30)).toContain("h264_nvenc");
  });

  it("refuses paths that would need escaping inside a filtergraph", () => {
    expect(filterPath("/tmp/a-b_c.d/e.txt")).toBe("/tmp/a-b_c.d/e.txt");
    for (const bad of ["/tmp/a:b", "/tmp/a'b", "/tmp/a,b", "/tmp/a;b", "/tmp/a b"])
      expect(() => filterPath(bad)).toThrow();
  });
});

describe("card plan", () => {
  it("draws a palette background, references in a row, title and text", () => {
    const plan = buildCardPlan({
      width: 540,
      height: 960,
      style: "cinematic",
      seed: 7,
      fontFile: FONT,
      titleFile: "/w/t.txt",
      textFile: "/w/b.txt",
      references: ["/w/r0", "/w/r1"],
      output: "/w/card.png",
    });
    expect(plan.inputs[0]?.source).toMatch(/^gradients=s=540x960:c0=0x0b2a33:c1=0x8a4b1c:/);
    expect(plan.inputs.slice(1).map((i) => i.source)).toEqual(["/w/r0", "/w/r1"]);
    expect(plan.filterComplex).toContain("drawbox=x=0:y=0:w=iw:h=ih*0.09:color=black:t=fill");
    expect(plan.filterComplex?.match(/overlay=/g)).toHaveLength(2);
    expect(plan.filterComplex?.match(/drawtext=/g)).toHaveLength(2);
    expect(plan.outputOptions).toEqual(["-map", "[card]", "-frames:v", "1", "-update", "1"]);
  });
});

describe("shared contracts", () => {
  it("reads image dimensions from PNG, JPEG and WebP headers, and refuses anything else", () => {
    const png = new Uint8Array([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 4, 56, 0, 0, 7, 128,
    ]);
    expect(readImageHeader(png)).toEqual({
      type: "png",
      contentType: "image/png",
      width: 1080,
      height: 1920,
    });
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 2, 208, 5, 0, 3]);
    expect(readImageHeader(jpeg)).toMatchObject({ type: "jpeg", width: 1280, height: 720 });
    const webp = new Uint8Array(30);
    webp.set([...new TextEncoder().encode("RIFF")], 0);
    webp.set([...new TextEncoder().encode("WEBPVP8X")], 8);
    webp.set([0x37, 0x04, 0x00, 0x7f, 0x07, 0x00], 24);
    expect(readImageHeader(webp)).toMatchObject({ type: "webp", width: 1080, height: 1920 });
    expect(readImageHeader(new TextEncoder().encode("<svg onload=alert(1)>"))).toBeNull();
    expect(readImageHeader(png.slice(0, 12))).toBeNull();
  });

  it("signs requests and refuses tampering, staleness and wrong secrets", async () => {
    const body = JSON.stringify({ a: 1 });
    const headers = await signRequest("s3cret-s3cret-s3cret", {
      method: "POST",
      path: "/v1/jobs",
      body,
      nowSeconds: 1000,
    });
    const get = (h: Record<string, string>) => ({ get: (n: string) => h[n] ?? null });
    const verify = (
      over: Partial<{
        secret: string;
        path: string;
        body: string;
        now: number;
        headers: Record<string, string>;
      }>,
    ) =>
      verifyRequest(over.secret ?? "s3cret-s3cret-s3cret", {
        method: "POST",
        path: over.path ?? "/v1/jobs",
        body: over.body ?? body,
        headers: get(over.headers ?? headers),
        nowSeconds: over.now ?? 1010,
      });
    expect(await verify({})).toMatchObject({ ok: true });
    expect(await verify({ body: JSON.stringify({ a: 2 }) })).toEqual({ ok: false, reason: "bad signature" });
    expect(await verify({ path: "/v1/frames" })).toEqual({ ok: false, reason: "bad signature" });
    expect(await verify({ secret: "another-secret-value" })).toEqual({ ok: false, reason: "bad signature" });
    expect(await verify({ now: 1000 + 301 })).toEqual({ ok: false, reason: "stale timestamp" });
    expect(await verify({ headers: {} })).toEqual({ ok: false, reason: "missing signature headers" });
  });
});
