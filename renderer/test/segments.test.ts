import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RenderSpecInput } from "../../contracts/render-spec";
import { planTimeline } from "../../contracts/timeline";
import { buildStillPrepPlan, frameGrid } from "../src/ffmpeg/args";
import { runPlan } from "../src/ffmpeg/run";
import { buildSegmentPlan, planSegments, type ShotVisual } from "../src/ffmpeg/segment-plan";
import { synthesize } from "../src/speech/speech";
import { makeStill, parseSrt } from "./helpers/media";
import { renderSpec, SECRET, testConfig, testFont } from "./helpers/renderer";
import { type StubApi, sha256, startStubApi } from "./helpers/stub-api";

const exec = promisify(execFile);
let stub: StubApi;
const media = mkdtempSync(join(tmpdir(), "sds-segments-"));

const spoken: Record<string, { url: string; duration: number; hash: string }> = {};

beforeAll(async () => {
  stub = await startStubApi(SECRET);
  for (let i = 0; i < 4; i++)
    stub.serve(`/files/s${i}.png`, await makeStill(media, i, 720, 720), "image/png");
  const workDir = testConfig(stub).WORK_DIR;
  for (const [name, text] of [
    ["a", "你怎么会在这里？"],
    ["b", "我回来了。"],
    ["b2", "我回来找你了，这一次不走了。"],
  ] as const) {
    const line = await synthesize(
      { bin: { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" }, espeakPath: "espeak-ng", workDir },
      { text, voice_key: name === "a" ? "char-1" : "char-2" },
    );
    stub.serve(`/files/${name}.wav`, line.wav, "audio/wav");
    spoken[name] = {
      url: `${stub.origin}/files/${name}.wav`,
      duration: line.duration,
      hash: sha256(line.wav),
    };
  }
});
afterAll(() => stub.close());

function threeShots(id: string, second = "s1", secondDuration = 2, cached = true): RenderSpecInput {
  return {
    render_id: id,
    aspect_ratio: "1:1",
    resolution: "720p",
    include_subtitles: true,
    scenes: [
      { image_url: `${stub.origin}/files/s0.png`, caption: "第一场", duration: 2 },
      { image_url: `${stub.origin}/files/${second}.png`, caption: "第二场", duration: secondDuration },
      { image_url: `${stub.origin}/files/s2.png`, caption: "第三场", duration: 2 },
    ],
    outputs: { video: stub.target(`${id}.mp4`) },
    callback_url: `${stub.origin}/events`,
    ...(cached ? { segments_url: stub.segmentsUrl } : {}),
  };
}

/** Renders and counts the ffmpeg encodes the runner started for segments. */
async function counted(spec: RenderSpecInput) {
  let encodes = 0;
  const rendered = await renderSpec(stub, spec, { onFfmpegStart: () => void encodes++ });
  const audio = rendered.segments.find((s) => s.kind === "audio");
  // The picture's segments; the soundtrack is one more cached entry, reported last.
  const result = { ...rendered, segments: rendered.segments.filter((s) => s.kind !== "audio") };
  return { result, audio, encodes, file: (await stub.uploaded(`${spec.render_id}.mp4`))?.file ?? "" };
}

/** PSNR (dB) of two videos' frames, over the whole film and at given frame numbers. */
async function psnr(a: string, b: string, frames: number[] = []): Promise<{ average: number; at: number[] }> {
  const { stdout, stderr } = await exec(
    "ffmpeg",
    ["-hide_banner", "-i", a, "-i", b, "-lavfi", "[0:v][1:v]psnr=stats_file=-", "-f", "null", "-"],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const value = (s: string | undefined) => (s === "inf" ? Number.POSITIVE_INFINITY : Number(s));
  const average = value(/PSNR .* average:(inf|[\d.]+)/.exec(stderr)?.[1]);
  const perFrame = new Map(
    [...stdout.matchAll(/n:(\d+) mse_avg:[\d.]+ .*psnr_avg:(inf|[\d.]+)/g)].map((m) => [
      Number(m[1]),
      value(m[2]),
    ]),
  );
  return { average, at: frames.map((n) => perFrame.get(n + 1) ?? Number.NaN) };
}

describe("stills prepared once", () => {
  it("a segment drawn from the prepared raw frame is the same, pixel for pixel, as one that decodes the PNG", async () => {
    const still = join(media, "prep.png");
    await writeFile(still, await makeStill(media, 5, 900, 700));
    const timeline = planTimeline([{ duration: 2 }, { duration: 2 }]);
    const shots: ShotVisual[] = [0, 1].map(() => ({
      kind: "still",
      source: still,
      sha256: "0".repeat(64),
      captions: [],
    }));
    const base = {
      width: 720,
      height: 720,
      fps: 30,
      shots,
      grid: frameGrid(timeline, 30),
      fontFile: testFont(),
      encoder: "libx264" as const,
    };
    const bin = { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" };
    const raw = join(media, "prep.yuv");
    await runPlan(buildStillPrepPlan(still, 720, 720, raw), bin);
    const [fade] = planSegments(timeline, 30).filter((s) => s.kind === "fade");
    if (!fade) throw new Error("no fade");
    const direct = join(media, "direct.ts");
    const prepared = join(media, "prepared.ts");
    await runPlan(buildSegmentPlan({ ...base, segment: fade, output: direct }), bin);
    await runPlan(
      buildSegmentPlan({
        ...base,
        shots: shots.map((s) => ({ ...s, prepared: raw })),
        segment: fade,
        output: prepared,
      }),
      bin,
    );
    expect((await psnr(direct, prepared)).average).toBe(Number.POSITIVE_INFINITY);
  });
});

describe("shot segments and reuse", () => {
  it("encodes every segment once, stores them, and a re-export of the same film encodes nothing", async () => {
    const first = await counted(threeShots("seg-full"));
    // Three bodies and two crossfades.
    expect(first.encodes).toBe(5);
    expect(first.result.segments.map((s) => [s.kind, s.shots, s.reused])).toEqual([
      ["body", [0], false],
      ["fade", [0, 1], false],
      ["body", [1], false],
      ["fade", [1, 2], false],
      ["body", [2], false],
    ]);
    expect(first.result.segments.every((s) => (s.uploaded?.size ?? 0) > 0)).toBe(true);
    expect(stub.segmentKeys()).toEqual(expect.arrayContaining(first.result.segments.map((s) => s.key)));
    expect(first.audio).toMatchObject({
      kind: "audio",
      shots: [],
      reused: false,
      uploaded: { size: expect.any(Number) },
    });
    const again = await counted(threeShots("seg-again"));
    expect(again.encodes).toBe(0);
    // The soundtrack too: same inputs at the same places, so the stored track is used.
    expect(again.audio).toMatchObject({ key: first.audio?.key, reused: true });
    expect(again.result.shots.map((s) => s.reused)).toEqual([true, true, true]);
    expect((await psnr(first.file, again.file)).average).toBe(Number.POSITIVE_INFINITY);
  });

  it("changing one shot of three re-encodes its body and its two crossfades, and equals a full render", async () => {
    await counted(threeShots("seg-base"));
    const changed = await counted(threeShots("seg-changed", "s3"));
    expect(changed.encodes).toBe(3);
    expect(changed.result.segments.map((s) => s.reused)).toEqual([true, false, false, false, true]);
    expect(changed.result.shots.map((s) => s.reused)).toEqual([true, false, true]);
    // A new picture, the same sound.
    expect(changed.audio?.reused).toBe(true);
    // The same film rendered from nothing (no cache).
    const fresh = await counted(threeShots("seg-fresh", "s3", 2, false));
    expect(fresh.encodes).toBe(5);
    // Frame for frame, and at every cut point (the first frame of each segment and the one before it).
    const cuts = changed.result.segments.slice(1).flatMap((s) => [s.start - 1, s.start]);
    const compared = await psnr(changed.file, fresh.file, cuts);
    expect(compared.average).toBeGreaterThanOrEqual(50);
    for (const [i, value] of compared.at.entries())
      expect(value, `frame ${cuts[i]}`).toBeGreaterThanOrEqual(50);
  });

  it("changing a shot's length moves the cuts but re-encodes only that shot's segments", async () => {
    await counted(threeShots("seg-len-base"));
    const longer = await counted(threeShots("seg-len", "s1", 3.2));
    expect(longer.encodes).toBe(3);
    expect(longer.result.segments.map((s) => s.reused)).toEqual([true, false, false, false, true]);
    expect(longer.result.shots[2]?.start).toBeCloseTo(4.2, 3);
    // A longer film needs a longer soundtrack.
    expect(longer.audio?.reused).toBe(false);
  });

  it("editing one line re-voices the soundtrack and re-encodes only that line's shot; the subtitles follow", async () => {
    const voiced = (id: string, second: "b" | "b2"): RenderSpecInput => {
      const line = (name: string, text: string) => ({
        text,
        audio_url: spoken[name]?.url ?? "",
        audio_duration: spoken[name]?.duration ?? 1,
        audio_hash: spoken[name]?.hash ?? "",
      });
      return {
        ...threeShots(id),
        outputs: { video: stub.target(`${id}.mp4`), srt: stub.target(`${id}.srt`) },
        scenes: [
          { image_url: `${stub.origin}/files/s0.png`, lines: [line("a", "你怎么会在这里？")], duration: 2 },
          {
            image_url: `${stub.origin}/files/s1.png`,
            lines: [line(second, second === "b" ? "我回来了。" : "我回来找你了，这一次不走了。")],
            duration: 2,
          },
        ],
      };
    };
    const before = await counted(voiced("line-before", "b"));
    const after = await counted(voiced("line-after", "b2"));
    expect(after.audio?.reused).toBe(false);
    expect(after.result.segments.map((s) => [s.kind, s.reused])).toEqual([
      ["body", true],
      ["fade", false],
      ["body", false],
    ]);
    expect(after.encodes).toBe(2);
    const srt = parseSrt(await readFile((await stub.uploaded("line-after.srt"))?.file ?? "", "utf8"));
    expect(srt.map((c) => c.text)).toEqual(["你怎么会在这里？", "我回来找你了，这一次不走了。"]);
    expect((srt[1]?.end ?? 0) - (srt[1]?.start ?? 0)).toBeCloseTo(spoken.b2?.duration ?? 0, 2);
    expect(before.audio?.key).not.toBe(after.audio?.key);
  });

  it("renders without the cache when the lookup fails, and re-encodes a corrupt cached segment", async () => {
    stub.segmentStatus = 503;
    try {
      const down = await counted(threeShots("seg-down", "s2"));
      expect(down.encodes).toBe(5);
      expect(down.result.segments.every((s) => !s.reused && !s.uploaded)).toBe(true);
    } finally {
      stub.segmentStatus = 200;
    }
    const base = await counted(threeShots("seg-corrupt-base"));
    const victim = base.result.segments[2]?.key ?? "";
    stub.corruptSegment(victim, Buffer.alloc(4096, 0x47));
    const healed = await counted(threeShots("seg-corrupt"));
    expect(healed.encodes).toBe(1);
    expect(healed.result.segments.map((s) => s.reused)).toEqual([true, true, false, true, true]);
    expect((await psnr(base.file, healed.file)).average).toBe(Number.POSITIVE_INFINITY);
  });
});
