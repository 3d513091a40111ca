import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RenderSpecSchema } from "../../contracts/render-spec";
import { planTimeline } from "../../contracts/timeline";
import { renderJob } from "../src/jobs/render-job";
import { ffprobe, grayFrame, makeStill, makeTone, meanDiff } from "./helpers/media";
import { smallSpec, testConfig, testFont } from "./helpers/renderer";
import { type StubApi, startStubApi } from "./helpers/stub-api";

let stub: StubApi;
const media = mkdtempSync(join(tmpdir(), "sds-media-"));

beforeAll(async () => {
  stub = await startStubApi("unused");
  for (let i = 0; i < 2; i++) stub.serve(`/files/s${i}.png`, await makeStill(media, i), "image/png");
  stub.serve("/files/tone.m4a", await makeTone(media, 2), "audio/mp4");
});
afterAll(() => stub.close());

async function render(
  id: string,
  over: Parameters<typeof smallSpec>[2] = {},
  extra: Record<string, string> = {},
) {
  const config = testConfig(stub, extra);
  const spec = RenderSpecSchema.parse(smallSpec(stub, id, over));
  const result = await renderJob(spec, {
    bin: { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" },
    fontFile: testFont(),
    apiOrigin: config.API_ORIGIN,
    workDir: config.WORK_DIR,
    encoder: "libx264",
    maxInputBytes: config.MAX_INPUT_BYTES,
    maxMusicBytes: config.MAX_MUSIC_BYTES,
    upload: { singleMaxBytes: config.UPLOAD_SINGLE_MAX_BYTES, partBytes: config.UPLOAD_PART_BYTES },
    parallelChunks: 2,
    secret: config.RENDERER_SECRET,
    maxClipBytes: config.MAX_CLIP_BYTES,
    signal: new AbortController().signal,
    progress: () => {},
  });
  return { result, spec, config };
}

describe("a real render of a 3-scene job", () => {
  it("produces a verified MP4 with the planned duration, size and streams, sidecars, poster and contact sheet", async () => {
    const { result, spec } = await render("real", { music_url: `${stub.origin}/files/tone.m4a` });
    const plan = planTimeline(spec.scenes);
    expect(plan.total).toBe(3.5);
    const video = await stub.uploaded("real.mp4");
    if (!video) throw new Error("video not uploaded");
    const probed = await ffprobe(video.file);
    expect(Math.abs(probed.duration - 3.5)).toBeLessThanOrEqual(0.1);
    const v = probed.streams.find((s) => s.codec_type === "video");
    const a = probed.streams.find((s) => s.codec_type === "audio");
    expect(v).toMatchObject({ codec_name: "h264", width: 720, height: 720, pix_fmt: "yuv420p" });
    expect(a).toMatchObject({ codec_name: "aac" });
    expect(result).toMatchObject({
      width: 720,
      height: 720,
      encoder: "libx264",
      duration: expect.any(Number),
    });
    expect(result.outputs.video).toEqual({
      url: stub.target("real.mp4").url,
      size: video.size,
      content_type: "video/mp4",
    });
    // +faststart: the moov atom comes before the media data.
    const head = (await readFile(video.file)).subarray(0, 4096).toString("latin1");
    expect(head.indexOf("moov")).toBeGreaterThan(0);
    expect(head.indexOf("moov")).toBeLessThan(head.indexOf("mdat") === -1 ? 4096 : head.indexOf("mdat"));

    const srt = await readFile((await stub.uploaded("real.srt"))?.file ?? "", "utf8");
    expect(srt).toBe(
      "1\n00:00:00,000 --> 00:00:01,250\n雨夜里，她终于推开了那扇门。\n\n2\n00:00:01,250 --> 00:00:02,250\n“你怎么会在这里？”\n\n3\n00:00:02,250 --> 00:00:03,500\nMorning comes.\n",
    );
    const vtt = await readFile((await stub.uploaded("real.vtt"))?.file ?? "", "utf8");
    expect(vtt.startsWith("WEBVTT\n\n00:00:00.000 --> 00:00:01.250\n")).toBe(true);
    const poster = await ffprobe((await stub.uploaded("real.jpg"))?.file ?? "");
    expect(poster.streams[0]).toMatchObject({ codec_name: "mjpeg", width: 720, height: 720 });
    const sheet = await ffprobe((await stub.uploaded("real.png"))?.file ?? "");
    expect(sheet.streams[0]).toMatchObject({ codec_name: "png" });
  });

  it("burns captions in only when include_subtitles, in the caption area", async () => {
    await render("with-captions", { scenes: smallSpec(stub, "x").scenes.slice(0, 1) });
    await render("without-captions", {
      include_subtitles: false,
      scenes: smallSpec(stub, "x").scenes.slice(0, 1),
    });
    const a = await grayFrame((await stub.uploaded("with-captions.mp4"))?.file ?? "", 0.7, 720, 720);
    const b = await grayFrame((await stub.uploaded("without-captions.mp4"))?.file ?? "", 0.7, 720, 720);
    const captionArea = meanDiff(a, b, 720, 720, 0.7, 0.9);
    const picture = meanDiff(a, b, 720, 720, 0, 0.4);
    expect(captionArea).toBeGreaterThan(8);
    expect(picture).toBeLessThan(1.5);
  });

  it("streams large outputs as multipart uploads", async () => {
    await render(
      "multipart",
      { scenes: smallSpec(stub, "x").scenes.slice(0, 2) },
      {
        UPLOAD_SINGLE_MAX_BYTES: "50000",
        UPLOAD_PART_BYTES: "40000",
      },
    );
    const video = await stub.uploaded("multipart.mp4");
    expect(video?.parts).toBeGreaterThan(1);
    expect(Math.abs((await ffprobe(video?.file ?? "")).duration - 2.5)).toBeLessThanOrEqual(0.1);
  });

  it("renders VP9/Opus WebM when asked", async () => {
    await render("webm", {
      format: "webm",
      scenes: smallSpec(stub, "x").scenes.slice(0, 1),
      outputs: { video: stub.target("webm.webm") },
    });
    const probed = await ffprobe((await stub.uploaded("webm.webm"))?.file ?? "");
    expect(probed.streams.map((s) => s.codec_name).sort()).toEqual(["opus", "vp9"]);
  });
});
