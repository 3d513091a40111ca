import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RenderSpecInput } from "../../contracts/render-spec";
import {
  LINE_GAP_SECONDS,
  LINE_LEAD_SECONDS,
  LINE_TAIL_SECONDS,
  minimumShotDuration,
} from "../../contracts/timeline";
import { drawCard } from "../src/cards/card";
import { prepareScene, sha256File } from "../src/jobs/prepare";
import { synthesize } from "../src/speech/speech";
import { bandLevel, ffprobe, grayFrame, loudness, meanDiff, parseSrt, soundOnsets } from "./helpers/media";
import { renderSpec, SECRET, testConfig, testFont } from "./helpers/renderer";
import { type StubApi, sha256, startStubApi } from "./helpers/stub-api";

const exec = promisify(execFile);
let stub: StubApi;
const media = mkdtempSync(join(tmpdir(), "sds-voices-"));
const LINES = [
  { speaker: "林夏", key: "char-1:林夏", text: "你怎么会在这里？" },
  { speaker: "陈默", key: "char-2:陈默", text: "I came back for you." },
  { speaker: "林夏", key: "char-1:林夏", text: "太晚了。" },
];
const audio: { url: string; duration: number; hash: string }[] = [];

beforeAll(async () => {
  stub = await startStubApi(SECRET);
  const config = testConfig(stub);
  for (const [i, line] of LINES.entries()) {
    const spoken = await synthesize(
      {
        bin: { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" },
        espeakPath: "espeak-ng",
        workDir: config.WORK_DIR,
      },
      { text: line.text, voice_key: line.key },
    );
    stub.serve(`/files/line-${i}.wav`, spoken.wav, "audio/wav");
    audio.push({
      url: `${stub.origin}/files/line-${i}.wav`,
      duration: spoken.duration,
      hash: sha256(spoken.wav),
    });
  }
  const still = join(media, "s0.png");
  await exec("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "testsrc2=s=720x720",
    "-frames:v",
    "1",
    still,
  ]);
  stub.serve("/files/s0.png", await readFile(still), "image/png");
  // Music: a steady 7 kHz tone, a band speech hardly reaches, so ducking shows in that band alone.
  const music = join(media, "music.m4a");
  await exec("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-f",
    "lavfi",
    "-i",
    "sine=f=7000:d=12",
    "-c:a",
    "aac",
    "-b:a",
    "128k",
    music,
  ]);
  stub.serve("/files/music.m4a", await readFile(music), "audio/mp4");
});
afterAll(() => stub.close());

const line = (i: number) => ({
  speaker: LINES[i]?.speaker,
  text: LINES[i]?.text ?? "",
  audio_url: audio[i]?.url ?? "",
  // A claim a little off: the renderer times from the file it measures, not from this.
  audio_duration: (audio[i]?.duration ?? 1) + 0.2,
  audio_hash: audio[i]?.hash ?? "",
});

function twoShots(id: string, over: Partial<RenderSpecInput> = {}): RenderSpecInput {
  return {
    render_id: id,
    aspect_ratio: "1:1",
    resolution: "720p",
    include_subtitles: true,
    scenes: [
      // Too short for its two lines: lengthened.
      { image_url: `${stub.origin}/files/s0.png`, lines: [line(0), line(1)], duration: 1.5 },
      { text: "公园的长椅", caption: "not shown: lines win", lines: [line(2)], duration: 4 },
    ],
    outputs: {
      video: stub.target(`${id}.mp4`),
      srt: stub.target(`${id}.srt`),
      vtt: stub.target(`${id}.vtt`),
    },
    callback_url: `${stub.origin}/events`,
    ...over,
  };
}

describe("lines drive the timeline and the mix (real espeak-ng lines)", () => {
  it("lengthens shots to their measured lines, times one cue per line from the audio, and lands at −14 LUFS", async () => {
    const result = await renderSpec(stub, twoShots("voiced"));
    const [d0, d1, d2] = audio.map((a) => a.duration) as [number, number, number];
    const [shot0, shot1] = result.shots;
    expect(shot0?.duration).toBe(minimumShotDuration([d0, d1], 0, 2));
    expect(shot0?.duration).toBeGreaterThan(1.5);
    expect(shot0?.duration).toBeGreaterThanOrEqual(
      0.5 + LINE_LEAD_SECONDS + d0 + LINE_GAP_SECONDS + d1 + LINE_TAIL_SECONDS - 1e-9,
    );
    expect(shot1?.duration).toBe(Math.max(4, minimumShotDuration([d2], 1, 2)));
    const file = (await stub.uploaded("voiced.mp4"))?.file ?? "";
    const probed = await ffprobe(file);
    expect(Math.abs(probed.duration - ((shot0?.duration ?? 0) + (shot1?.duration ?? 0) - 0.5))).toBeLessThan(
      0.1,
    );
    expect(probed.streams.find((s) => s.codec_type === "audio")).toMatchObject({
      codec_name: "aac",
      sample_rate: "48000",
    });

    // One cue per line, each exactly its measured audio.
    const cues = parseSrt(await readFile((await stub.uploaded("voiced.srt"))?.file ?? "", "utf8"));
    expect(cues.map((c) => c.text)).toEqual(LINES.map((l) => l.text));
    for (const [i, cue] of cues.entries())
      expect(cue.end - cue.start).toBeCloseTo(audio[i]?.duration ?? 0, 2);
    expect(cues[0]?.start).toBeCloseTo(LINE_LEAD_SECONDS, 3);
    // Each cue starts where its line is heard in the mix: a silence ends within 50 ms of it.
    const onsets = await soundOnsets(file);
    for (const cue of cues) {
      const nearest = Math.min(...onsets.map((t) => Math.abs(t - cue.start)));
      expect(nearest, `cue at ${cue.start}, onsets ${onsets.join(", ")}`).toBeLessThan(0.05);
    }
    // Loudness for social platforms, measured on the output.
    const measured = await loudness(file);
    expect(Math.abs(measured.integrated + 14), `${measured.integrated} LUFS`).toBeLessThanOrEqual(1);
    expect(measured.truePeak).toBeLessThanOrEqual(-1);
    expect(result.audio.loudness?.true_peak_dbtp).toBeLessThanOrEqual(-1);
    expect(result.audio.stems.map((s) => [s.kind, s.scene, s.line, s.hash])).toEqual([
      ["dialogue", 0, 0, audio[0]?.hash],
      ["dialogue", 0, 1, audio[1]?.hash],
      ["dialogue", 1, 0, audio[2]?.hash],
    ]);
    for (const [i, stem] of result.audio.stems.entries())
      expect(stem.start).toBeCloseTo(cues[i]?.start ?? -1, 3);
  });

  it("burns in only the line being spoken", async () => {
    await renderSpec(stub, twoShots("burned"));
    await renderSpec(stub, twoShots("unburned", { include_subtitles: false }));
    const cues = parseSrt(await readFile((await stub.uploaded("burned.srt"))?.file ?? "", "utf8"));
    const a = (await stub.uploaded("burned.mp4"))?.file ?? "";
    const b = (await stub.uploaded("unburned.mp4"))?.file ?? "";
    const area = async (t: number) =>
      meanDiff(await grayFrame(a, t, 720, 720), await grayFrame(b, t, 720, 720), 720, 720, 0.62, 0.9);
    const [c0, c1] = cues as [(typeof cues)[0], (typeof cues)[0]];
    expect(await area((c0.start + c0.end) / 2)).toBeGreaterThan(4);
    expect(await area((c1.start + c1.end) / 2)).toBeGreaterThan(4);
    // Before the first line and in the pause between two lines: nothing on screen (what differs is
    // codec noise, a tenth of a caption).
    expect(await area(0.1)).toBeLessThan(2);
    expect(await area((c0.end + c1.start) / 2)).toBeLessThan(2);
    // The two lines are different captions.
    const f0 = await grayFrame(a, (c0.start + c0.end) / 2, 720, 720);
    const f1 = await grayFrame(a, (c1.start + c1.end) / 2, 720, 720);
    expect(meanDiff(f0, f1, 720, 720, 0.62, 0.9)).toBeGreaterThan(4);
  });

  it("ducks the music under speech", async () => {
    const result = await renderSpec(
      stub,
      twoShots("ducked", {
        music_url: `${stub.origin}/files/music.m4a`,
        scenes: twoShots("x").scenes?.map((s) => ({ ...s, duration: 8 })),
      }),
    );
    const file = (await stub.uploaded("ducked.mp4"))?.file ?? "";
    const cues = parseSrt(await readFile((await stub.uploaded("ducked.srt"))?.file ?? "", "utf8"));
    const [c0, c1] = cues as [(typeof cues)[0], (typeof cues)[0]];
    const shot0End = (result.shots[0]?.start ?? 0) + (result.shots[0]?.duration ?? 0) - 0.5;
    const underSpeech = await bandLevel(file, 7000, c0.start + 0.2, c0.end - 0.1);
    // Long after the last line of the first shot, before the crossfade: the bed at full level.
    const clear = await bandLevel(file, 7000, c1.end + 1.2, shot0End - 0.1);
    expect(clear - underSpeech, `${underSpeech} dB under speech, ${clear} dB clear`).toBeGreaterThan(5);
    const measured = await loudness(file);
    expect(Math.abs(measured.integrated + 14)).toBeLessThanOrEqual(1);
    expect(measured.truePeak).toBeLessThanOrEqual(-1);
    expect(result.audio.stems.at(-1)).toMatchObject({ kind: "music", url: `${stub.origin}/files/music.m4a` });
  });

  it("never prints the dialogue on a card: with lines a card shows its text only", async () => {
    const config = testConfig(stub);
    const ctx = {
      bin: { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" },
      fontFile: testFont(),
      apiOrigin: stub.origin,
      maxInputBytes: config.MAX_INPUT_BYTES,
      maxMusicBytes: config.MAX_MUSIC_BYTES,
      maxClipBytes: config.MAX_CLIP_BYTES,
      signal: new AbortController().signal,
    };
    const canvas = { width: 720, height: 720 };
    const spec = (scene: RenderSpecInput["scenes"][number]) =>
      ({ ...twoShots("card"), style: "cinematic", scenes: [scene] }) as Parameters<typeof prepareScene>[0];
    const dir = mkdtempSync(join(media, "cards-"));
    const voiced = await prepareScene(
      spec({ caption: "台词不该出现在卡片上", lines: [line(2)], duration: 3 }),
      ctx,
      dir,
      canvas,
      0,
    );
    const blank = join(dir, "blank.png");
    await drawCard(
      { bin: ctx.bin, fontFile: ctx.fontFile },
      { ...canvas, style: "cinematic", seed: 0, text: "" },
      [],
      blank,
    );
    expect(voiced.sha256).toBe(await sha256File(blank));
    const dir2 = mkdtempSync(join(media, "cards-"));
    const older = await prepareScene(
      spec({ caption: "台词不该出现在卡片上", duration: 3 }),
      ctx,
      dir2,
      canvas,
      0,
    );
    expect(older.sha256).not.toBe(voiced.sha256);
  });

  it("fails the render, naming the line, when a line's audio is not audio", async () => {
    stub.serve("/files/not-audio.wav", "<html>oops</html>", "audio/wav");
    const bad = twoShots("bad-line");
    const scenes = bad.scenes.map((s, i) =>
      i === 1 ? { ...s, lines: [{ ...line(2), audio_url: `${stub.origin}/files/not-audio.wav` }] } : s,
    );
    await expect(renderSpec(stub, { ...bad, scenes })).rejects.toThrow(
      /scenes\[1\]\.lines\[0\]: .*not an audio file/,
    );
    expect(await stub.uploaded("bad-line.mp4")).toBeUndefined();
  });
});
