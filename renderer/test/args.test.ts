import { describe, expect, it } from "vitest";
import { readImageHeader } from "../../contracts/image-header";
import { canvasSize, RenderSpecSchema, videoLength } from "../../contracts/render-spec";
import { signRequest, verifyRequest } from "../../contracts/signing";
import { minimumShotDuration, planTimeline, shotDurations, toSrt, toVtt } from "../../contracts/timeline";
import { buildCardPlan } from "../src/cards/card-plan";
import {
  buildAudioPlan,
  buildContactSheetPlan,
  buildMuxPlan,
  buildPosterPlan,
  captionMetrics,
  frameGrid,
  kenBurns,
  planToArgs,
} from "../src/ffmpeg/args";
import { buildLoudnormPlan, buildMixPlan, parseEbur128, parseLoudnorm } from "../src/ffmpeg/audio-args";
import { audioOptions, videoOptions } from "../src/ffmpeg/encoder";
import { filterPath } from "../src/ffmpeg/escape";
import { chooseEncoding, encoderMemoryMb } from "../src/ffmpeg/parallelism";
import { toCommand } from "../src/ffmpeg/run";
import {
  buildSegmentPlan,
  planSegments,
  type Segment,
  type ShotVisual,
  segmentIdentity,
} from "../src/ffmpeg/segment-plan";
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

describe("lines on the timeline", () => {
  it("lengthens a shot to hold its lines (crossfades, lead, gaps, tail) and times one cue per line", () => {
    expect(minimumShotDuration([1, 2], 0, 2)).toBe(4.4);
    expect(minimumShotDuration([1], 1, 3)).toBe(2.6);
    expect(minimumShotDuration([], 1, 3)).toBe(0);
    const scenes = [
      {
        duration: 2,
        lines: [
          { text: "一", duration: 1.2 },
          { text: "二", audio_duration: 0.8, speaker: "林夏" },
        ],
      },
      { duration: 3, caption: "older caption" },
      { duration: 4, lines: [{ text: "三", duration: 0.5 }] },
    ];
    expect(shotDurations(scenes)).toEqual([3.4, 3, 4]);
    const t = planTimeline(scenes);
    expect(t.slots.map((s) => [s.start, s.duration])).toEqual([
      [0, 3.4],
      [2.9, 3],
      [5.4, 4],
    ]);
    expect(t.total).toBe(9.4);
    expect(t.lines).toEqual([
      { scene: 0, line: 0, start: 0.25, duration: 1.2 },
      { scene: 0, line: 1, start: 1.75, duration: 0.8 },
      { scene: 2, line: 0, start: 6.15, duration: 0.5 },
    ]);
    expect(t.cues).toEqual([
      { index: 0, line: 0, start: 0.25, end: 1.45, text: "一" },
      { index: 0, line: 1, start: 1.75, end: 2.55, text: "二", speaker: "林夏" },
      { index: 1, start: 3.15, end: 5.65, text: "older caption" },
      { index: 2, line: 0, start: 6.15, end: 6.65, text: "三" },
    ]);
  });
});

describe("the render spec's new fields", () => {
  it("accepts lines, clips, media refs, timelines and a segment cache, optional all, and bounds the lines", () => {
    const base = {
      render_id: "r1",
      aspect_ratio: "9:16",
      resolution: "720p",
      outputs: { video: { url: "https://api.example/u/v", max_bytes: 10 } },
      callback_url: "https://api.example/events",
    };
    const line = {
      text: "你好",
      audio_url: "https://api.example/l.wav",
      audio_duration: 1,
      audio_hash: "a".repeat(64),
    };
    expect(RenderSpecSchema.safeParse({ ...base, scenes: [{ text: "x", duration: 2 }] }).success).toBe(true);
    const full = RenderSpecSchema.parse({
      ...base,
      segments_url: "https://api.example/segments",
      outputs: {
        ...base.outputs,
        fcpxml: base.outputs.video,
        otio: base.outputs.video,
        edl: base.outputs.video,
      },
      scenes: [
        { clip: { url: "https://api.example/c.mp4", hash: "b".repeat(64) }, lines: [line], duration: 2 },
      ],
    });
    expect(full.scenes[0]?.clip?.keep_audio).toBe(false);
    const bad = (scenes: unknown[]) => RenderSpecSchema.safeParse({ ...base, scenes }).success;
    expect(bad([{ lines: [{ ...line, audio_hash: "not-hex" }], duration: 2 }])).toBe(false);
    expect(bad([{ lines: [{ ...line, text: " " }], duration: 2 }])).toBe(false);
    expect(bad([{ clip: { url: "https://api.example/c.mp4" }, duration: 2 }])).toBe(false);
    const many = Array.from({ length: 9 }, () => ({ lines: Array(50).fill(line), duration: 2 }));
    expect(bad(many)).toBe(false);
    expect(bad(many.slice(0, 8))).toBe(true);
  });
});

describe("the soundtrack plans", () => {
  const lines = [
    { file: "/w/l0.wav", start: 0.25, duration: 1.2 },
    { file: "/w/l1.wav", start: 1.75, duration: 0.8 },
  ];
  it("places each line to the sample over room tone, ducks the music under it, and measures loudness", () => {
    const plan = buildMixPlan({ lines, music: "/w/m", total: 4 }, "/w/premix.wav");
    const graph = plan.filterComplex ?? "";
    expect(plan.inputs.map((i) => i.source)).toEqual(["/w/l0.wav", "/w/l1.wav", "/w/m"]);
    expect(graph).toContain("atrim=0:1.200,asetpts=PTS-STARTPTS,adelay=delays=12000S:all=1[l0]");
    expect(graph).toContain("adelay=delays=84000S:all=1[l1]");
    expect(graph).toContain("[l0][l1][tone]amix=inputs=3:normalize=0");
    expect(graph).toContain("[bedx][key]sidechaincompress=");
    expect(graph).toContain("loudnorm=I=-14:TP=-1.5:LRA=20:print_format=json");
    expect(plan.outputOptions.slice(0, 7)).toEqual([
      "-map",
      "[pre]",
      "-c:a",
      "pcm_s16le",
      "-f",
      "wav",
      "/w/premix.wav",
    ]);
    const dry = buildMixPlan({ lines, total: 4 }, "/w/premix.wav").filterComplex ?? "";
    expect(dry).not.toContain("sidechaincompress");
    expect(dry).toContain("[key]anullsink");
  });

  it("applies the measurement in a second pass and reads ebur128's summary", () => {
    const measured = parseLoudnorm(
      'noise\n[Parsed_loudnorm_0 @ 0x1]\n{\n\t"input_i" : "-19.33",\n\t"input_tp" : "-2.36",\n\t"input_lra" : "14.00",\n\t"input_thresh" : "-32.07",\n\t"target_offset" : "0.30"\n}\n',
    );
    const second = buildLoudnormPlan("/w/premix.wav", measured, audioOptions("libx264"), "/w/a.m4a");
    expect(second.filterComplex).toContain(
      "measured_I=-19.33:measured_TP=-2.36:measured_LRA=14.00:measured_thresh=-32.07:offset=0.30:linear=true",
    );
    expect(second.outputOptions).toEqual(["-map", "[aout]", "-ar", "48000", ...audioOptions("libx264")]);
    expect(() => parseLoudnorm("{}")).toThrow(/input_i/);
    const summary =
      "Summary:\n\n  Integrated loudness:\n    I:         -14.2 LUFS\n    Threshold: -24.1 LUFS\n\n  True peak:\n    Peak:       -1.6 dBFS\n";
    expect(parseEbur128(summary)).toEqual({ integrated_lufs: -14.2, true_peak_dbtp: -1.6 });
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
  const grid = frameGrid(timeline, 30);
  const shots: ShotVisual[] = [
    {
      kind: "still",
      source: "/w/scene-000.png",
      sha256: "a".repeat(64),
      captions: [{ file: "/w/c0.txt", text: "a", from: 0, to: 60 }],
    },
    { kind: "still", source: "/w/scene-001.png", sha256: "b".repeat(64), captions: [] },
    {
      kind: "clip",
      source: "/w/clip-2",
      sha256: "c".repeat(64),
      captions: [{ file: "/w/c2.txt", text: "c", from: 20, to: 50 }],
    },
  ];
  const base = {
    width: 720,
    height: 1280,
    fps: 30,
    shots,
    grid,
    fontFile: FONT,
    encoder: "libx264" as const,
  };
  const segments = planSegments(timeline, 30);
  const plan = (i: number) =>
    buildSegmentPlan({ ...base, segment: segments[i] as Segment, output: `/w/seg-${i}.ts` });

  it("cuts the film into scene bodies and crossfades, covering every frame once", () => {
    expect(segments.map((s) => [s.kind, s.start, s.end, s.spans.map((x) => [x.shot, x.from, x.to])])).toEqual(
      [
        ["body", 0, 45, [[0, 0, 45]]],
        [
          "fade",
          45,
          60,
          [
            [0, 45, 60],
            [1, 0, 15],
          ],
        ],
        ["body", 60, 90, [[1, 15, 45]]],
        [
          "fade",
          90,
          105,
          [
            [1, 45, 60],
            [2, 0, 15],
          ],
        ],
        ["body", 105, 180, [[2, 15, 90]]],
      ],
    );
    expect(segments.reduce((n, s) => n + s.end - s.start, 0)).toBe(Math.round(timeline.total * 30));
  });

  it("is deterministic and pure: the same input gives the same arguments", () => {
    expect(planToArgs(plan(1))).toEqual(planToArgs(plan(1)));
  });

  it("moves a still from its own frame numbers, holds a clip, crossfades two scenes, and encodes alone", () => {
    const body = plan(0);
    expect(body.inputs).toEqual([{ source: "/w/scene-000.png", options: [] }]);
    expect(body.filterComplex).toContain("z='1+0.15*on/59'");
    expect(body.filterComplex).toContain(":d=45:s=720x1280:fps=30");
    expect(body.filterComplex).toContain("textfile=/w/c0.txt");
    expect(body.filterComplex).not.toContain("enable=");
    expect(body.outputOptions).toEqual([
      "-map",
      "[vout]",
      ...videoOptions("libx264", 30),
      "-frames:v",
      "45",
      "-f",
      "mpegts",
    ]);
    const fade = plan(1);
    expect(fade.inputs.map((i) => i.source)).toEqual(["/w/scene-000.png", "/w/scene-001.png"]);
    // The tail of scene 0 from its frame 45, the head of scene 1 from its frame 0.
    expect(fade.filterComplex).toContain("z='1+0.15*(on+45)/59'");
    expect(fade.filterComplex).toContain("z='1.15-0.15*on/59'");
    expect(fade.filterComplex).toContain("[a][b]xfade=transition=fade:duration=0.5000:offset=0[vout]");
    const clip = plan(4);
    expect(clip.filterComplex).toContain("fps=30,scale=720:1280:force_original_aspect_ratio=increase");
    expect(clip.filterComplex).toContain("tpad=stop_mode=clone:stop=-1,trim=start_frame=15:end_frame=90");
    // A spoken line shows on its frames only: scene frames 20..49 are frames 5..34 of this span.
    expect(clip.filterComplex).toContain(":enable='between(n,5,34)'");
  });

  it("keys a segment by what decides its pixels, not by where it sits or what its files are called", () => {
    const common = { formatVersion: 1, ffmpeg: "ffmpeg version 5.1" };
    const id = (i: number, over: Partial<typeof base & { encoderExtra: string[] }> = {}) =>
      JSON.stringify(segmentIdentity({ ...base, ...over, segment: segments[i] as Segment }, common));
    const renamed = shots.map((s) => ({
      ...s,
      source: `${s.source}.copy`,
      captions: s.captions.map((c) => ({ ...c, file: "/x" })),
    }));
    expect(id(0, { shots: renamed })).toBe(id(0));
    const changed = shots.map((s, i) => (i === 1 ? { ...s, sha256: "d".repeat(64) } : s));
    // Scene 1 changed: its body and both fades, nothing else.
    expect([0, 1, 2, 3, 4].map((i) => id(i, { shots: changed }) === id(i))).toEqual([
      true,
      false,
      false,
      false,
      true,
    ]);
    expect(id(0, { encoderExtra: ["-threads", "2"] })).not.toBe(id(0));
    expect(id(0, { width: 1080 })).not.toBe(id(0));
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
      const segs = planSegments(odd, fps);
      expect(segs.reduce((n, c) => n + c.end - c.start, 0)).toBe(Math.round(odd.total * fps));
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
      plan(3),
      buildMixPlan(
        { lines: [{ file: "/w/l0.wav", start: 0.25, duration: 1.2 }], music: "/w/m", total: 4 },
        "/w/p.wav",
      ),
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

describe("parallelism and encoder threads", () => {
  const portrait = 1080 * 1920;
  it("runs one single-threaded encoder per core while memory allows, fewer and wider ones when not", () => {
    expect(Math.round(encoderMemoryMb(portrait, 1))).toBe(240);
    expect(chooseEncoding({ cores: 2, memoryMb: 4000, pixels: portrait })).toEqual({
      parallel: 2,
      threads: 1,
    });
    expect(chooseEncoding({ cores: 2, memoryMb: 400, pixels: portrait })).toEqual({
      parallel: 1,
      threads: 2,
    });
    expect(chooseEncoding({ cores: 8, memoryMb: 1000, pixels: portrait })).toEqual({
      parallel: 4,
      threads: 2,
    });
    expect(chooseEncoding({ cores: 8, memoryMb: 100_000, pixels: portrait, maxParallel: 4 })).toEqual({
      parallel: 4,
      threads: 2,
    });
    expect(chooseEncoding({ cores: 2, memoryMb: 10, pixels: 3840 * 2160 })).toEqual({
      parallel: 1,
      threads: 2,
    });
    expect(chooseEncoding({ cores: 2, memoryMb: 4000, pixels: portrait, threads: 3 })).toEqual({
      parallel: 2,
      threads: 3,
    });
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
