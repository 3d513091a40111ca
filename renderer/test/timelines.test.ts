import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RenderSpecInput } from "../../contracts/render-spec";
import { synthesize } from "../src/speech/speech";
import { type CutList, cutPoints } from "../src/timelines/cut-list";
import { toEdl } from "../src/timelines/edl";
import { toFcpxml } from "../src/timelines/fcpxml";
import { toOtio } from "../src/timelines/otio";
import { grayFrame } from "./helpers/media";
import { renderSpec, SECRET, testConfig } from "./helpers/renderer";
import { type StubApi, sha256, startStubApi } from "./helpers/stub-api";
import {
  edlEvents,
  fcpxmlSpine,
  OtioTimelineSchema,
  otioTrackCuts,
  validateFcpxml,
} from "./helpers/timelines";

const exec = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), "sds-timelines-"));

/** Three shots at 30 fps: 60, 75 and 60 frames, 15-frame crossfades; a line, music, two captions. */
const CUT: CutList = {
  title: "雨夜 & <重逢>",
  fps: 30,
  width: 720,
  height: 1280,
  frames: 165,
  shots: [
    { index: 0, name: "s0.png", kind: "image", ref: "shots/s0.png", start: 0, frames: 60, overlapNext: 15 },
    {
      index: 1,
      name: "c1.mp4",
      kind: "clip",
      ref: "https://api.example/files/c1.mp4?sig=a&exp=1",
      start: 45,
      frames: 75,
      overlapNext: 15,
    },
    { index: 2, name: "card 3", kind: "card", ref: null, start: 105, frames: 60, overlapNext: 0 },
  ],
  audio: [
    { track: "dialogue", name: "林夏: l0.wav", ref: "voices/l0.wav", start: 8, frames: 40 },
    { track: "music", name: "bgm.m4a", ref: "music/bgm.m4a", start: 0, frames: 165 },
  ],
  captions: [
    { start: 8, end: 48, text: "你怎么会在这里？", speaker: "林夏" },
    { start: 110, end: 150, text: "Line\ntwo" },
  ],
};

describe("timeline files (pure)", () => {
  it("FCPXML: valid against the FCPXML 1.10 DTD subset, shots with their overlap, dissolves at the cuts", async () => {
    const xml = toFcpxml(CUT);
    const check = await validateFcpxml(xml, work);
    expect(check.errors).toBe("");
    expect(check.ok).toBe(true);
    // The validation bites: a video without its required duration is refused.
    expect((await validateFcpxml(xml.replace(/(<video[^>]*?) duration="[^"]*"/, "$1"), work)).ok).toBe(false);
    const { items, sequence, sources } = fcpxmlSpine(xml, 30);
    expect(sequence).toBe(165);
    expect(items.map((i) => [i.kind, i.offset, i.duration])).toEqual([
      ["video", 0, 60],
      ["transition", 45, 15],
      ["video", 45, 75],
      ["transition", 105, 15],
      ["gap", 105, 60],
    ]);
    expect(Object.values(sources).sort()).toEqual(
      [
        "shots/s0.png",
        "https://api.example/files/c1.mp4?sig=a&exp=1",
        "voices/l0.wav",
        "music/bgm.m4a",
      ].sort(),
    );
    expect(xml).toContain('<event name="雨夜 &amp; &lt;重逢&gt;">');
    expect(xml).toContain('<caption lane="1" offset="8/30s"');
    expect(xml).toContain('<caption lane="1" offset="5/30s"');
  });

  it("OTIO: the reference schema's objects, one shot per cut with a dissolve after it, stems on audio tracks", () => {
    const otio = OtioTimelineSchema.parse(JSON.parse(toOtio(CUT)));
    const [video, dialogue, music] = otio.tracks.children;
    const cuts = otioTrackCuts(video as NonNullable<typeof video>);
    expect(cuts.cuts).toEqual(cutPoints(CUT));
    expect(cuts.length).toBe(165);
    expect(cuts.refs).toEqual(["shots/s0.png", "https://api.example/files/c1.mp4?sig=a&exp=1", null]);
    const transitions = video?.children.filter((c) => c.OTIO_SCHEMA === "Transition.1");
    expect(transitions?.map((t) => [t.in_offset.value, t.out_offset.value])).toEqual([
      [0, 15],
      [0, 15],
    ]);
    expect(
      video?.markers.map((m) => [m.marked_range.start_time.value, m.marked_range.duration.value, m.comment]),
    ).toEqual([
      [8, 40, "你怎么会在这里？"],
      [110, 40, "Line\ntwo"],
    ]);
    expect(otioTrackCuts(dialogue as NonNullable<typeof dialogue>)).toEqual({
      cuts: [8],
      length: 48,
      refs: [null, "voices/l0.wav"],
    });
    expect(otioTrackCuts(music as NonNullable<typeof music>).length).toBe(165);
  });

  it("EDL: CMX3600 events from cut to cut, two-line dissolves, audio on A/A2, captions as markers", () => {
    const edl = toEdl(CUT);
    expect(edl.startsWith("TITLE: 雨夜 & <重逢>\nFCM: NON-DROP FRAME\n\n")).toBe(true);
    const events = edlEvents(edl, 30);
    const video = events.filter((e) => e.channel === "V");
    expect(video.map((e) => [e.event, e.reel, e.dissolve, e.recIn, e.recOut])).toEqual([
      [1, "AX", 0, 0, 45],
      [2, "AX", 0, 45, 45],
      [2, "AX", 15, 45, 105],
      [3, "AX", 0, 105, 105],
      [3, "BL", 15, 105, 165],
    ]);
    expect(events.filter((e) => e.channel !== "V").map((e) => [e.channel, e.recIn, e.recOut])).toEqual([
      ["A", 8, 48],
      ["A2", 0, 165],
    ]);
    expect(edl).toContain("001  AX       V     C        00:00:00:00 00:00:01:15 00:00:00:00 00:00:01:15");
    expect(edl).toContain("* LOC: 00:00:00:08 WHITE   林夏: 你怎么会在这里？");
    expect(edl).toContain("* LOC: 00:00:03:20 WHITE   Line two");
    expect(edl).toContain("* SOURCE FILE: https://api.example/files/c1.mp4?sig=a&exp=1");
  });
});

let stub: StubApi;
const colours = ["red", "blue", "white"];

beforeAll(async () => {
  stub = await startStubApi(SECRET);
  for (const [i, colour] of colours.entries()) {
    const file = join(work, `${colour}.png`);
    await exec("ffmpeg", [
      "-v",
      "error",
      "-y",
      "-f",
      "lavfi",
      "-i",
      `color=c=${colour}:s=720x720`,
      "-frames:v",
      "1",
      file,
    ]);
    stub.serve(`/files/solid-${i}.png`, await readFile(file), "image/png");
  }
  const spoken = await synthesize(
    {
      bin: { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" },
      espeakPath: "espeak-ng",
      workDir: testConfig(stub).WORK_DIR,
    },
    { text: "天亮了。", voice_key: "narrator-test" },
  );
  stub.serve("/files/line.wav", spoken.wav, "audio/wav");
  const line = {
    text: "天亮了。",
    audio_url: `${stub.origin}/files/line.wav`,
    audio_duration: spoken.duration,
    audio_hash: sha256(spoken.wav),
    media_ref: "voices/line.wav",
  };
  spec.scenes[1] = { ...spec.scenes[1], lines: [line] } as RenderSpecInput["scenes"][number];
});
afterAll(() => stub.close());

const spec: RenderSpecInput = {
  render_id: "timelines",
  aspect_ratio: "1:1",
  resolution: "720p",
  include_subtitles: false,
  title: "Timeline test",
  scenes: [0, 1, 2].map((i) => ({
    image_url: `http://placeholder/${i}`,
    image_media_ref: `shots/${colours[i]}.png`,
    duration: 2,
  })),
  outputs: { video: { url: "http://placeholder/v", max_bytes: 1 } },
  callback_url: "http://placeholder/events",
};

describe("timeline files of a real render", () => {
  it("have the MP4's cut points and duration, and reference the spec's media", async () => {
    const full: RenderSpecInput = {
      ...spec,
      scenes: spec.scenes.map((s, i) => ({ ...s, image_url: `${stub.origin}/files/solid-${i}.png` })),
      outputs: {
        video: stub.target("tl.mp4"),
        srt: stub.target("tl.srt"),
        fcpxml: stub.target("tl.fcpxml"),
        otio: stub.target("tl.otio"),
        edl: stub.target("tl.edl"),
      },
      callback_url: `${stub.origin}/events`,
    };
    const result = await renderSpec(stub, full);
    expect(Object.keys(result.outputs).sort()).toEqual(["edl", "fcpxml", "otio", "srt", "video"]);
    const read = async (name: string) => readFile((await stub.uploaded(name))?.file ?? "", "utf8");
    const mp4 = (await stub.uploaded("tl.mp4"))?.file ?? "";
    const { stdout } = await exec("ffprobe", [
      "-v",
      "error",
      "-count_packets",
      "-select_streams",
      "v",
      "-show_entries",
      "stream=nb_read_packets,r_frame_rate",
      "-of",
      "json",
      mp4,
    ]);
    const frames = Number(
      (JSON.parse(stdout) as { streams: { nb_read_packets: string }[] }).streams[0]?.nb_read_packets,
    );

    const otio = OtioTimelineSchema.parse(JSON.parse(await read("tl.otio")));
    const video = otioTrackCuts(otio.tracks.children[0] as OtioTimelineType);
    expect(video.length).toBe(frames);
    expect(video.refs).toEqual(["shots/red.png", "shots/blue.png", "shots/white.png"]);
    const dialogue = otio.tracks.children.find((t) => t.name === "Dialogue");
    expect(JSON.stringify(dialogue)).toContain('"target_url":"voices/line.wav"');

    const xml = await read("tl.fcpxml");
    expect((await validateFcpxml(xml, work)).ok).toBe(true);
    const spine = fcpxmlSpine(xml, 30);
    expect(spine.sequence).toBe(frames);
    expect(spine.items.filter((i) => i.kind === "transition").map((i) => i.offset)).toEqual(video.cuts);

    const edl = edlEvents(await read("tl.edl"), 30).filter((e) => e.channel === "V");
    expect(edl.at(-1)?.recOut).toBe(frames);
    expect(edl.filter((e) => e.dissolve > 0).map((e) => e.recIn)).toEqual(video.cuts);

    // The cuts are where the MP4 changes shot: the outgoing shot's pure colour up to the frame
    // before the cut, the incoming shot showing from the cut on (a crossfade), and the incoming
    // shot's pure colour from the end of the crossfade.
    const level = async (frame: number) => {
      const px = await grayFrame(mp4, (frame + 0.5) / 30, 720, 720);
      return px[720 * 360 + 360] ?? 0;
    };
    const pure = await Promise.all([0, 1, 2].map((i) => level(i === 0 ? 10 : (video.cuts[i - 1] ?? 0) + 20)));
    for (const [k, cut] of video.cuts.entries()) {
      expect(Math.abs((await level(cut - 1)) - (pure[k] ?? 0))).toBeLessThanOrEqual(2);
      const towards = Math.sign((pure[k + 1] ?? 0) - (pure[k] ?? 0));
      expect(((await level(cut)) - (pure[k] ?? 0)) * towards).toBeGreaterThanOrEqual(3);
      const middle = await level(cut + 7);
      expect(middle).toBeGreaterThan(Math.min(pure[k] ?? 0, pure[k + 1] ?? 0) + 5);
      expect(middle).toBeLessThan(Math.max(pure[k] ?? 0, pure[k + 1] ?? 0) - 5);
      expect(Math.abs((await level(cut + 15)) - (pure[k + 1] ?? 0))).toBeLessThanOrEqual(2);
    }
  });
});

type OtioTimelineType = ReturnType<typeof OtioTimelineSchema.parse>["tracks"]["children"][number];
