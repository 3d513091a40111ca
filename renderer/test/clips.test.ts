import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RenderSpecInput } from "../../contracts/render-spec";
import { synthesize } from "../src/speech/speech";
import { bandLevel, ffprobe, grayFrame, meanDiff, parseSrt } from "./helpers/media";
import { renderSpec, SECRET, testConfig } from "./helpers/renderer";
import { type StubApi, sha256, startStubApi } from "./helpers/stub-api";

const exec = promisify(execFile);
let stub: StubApi;
const media = mkdtempSync(join(tmpdir(), "sds-clips-"));
const hashes: Record<string, string> = {};
let lineSeconds = 0;

async function serveMade(name: string, args: string[], type: string) {
  const file = join(media, name);
  await exec("ffmpeg", ["-v", "error", "-y", ...args, file]);
  const bytes = await readFile(file);
  hashes[name] = sha256(bytes);
  stub.serve(`/files/${name}`, bytes, type);
}

beforeAll(async () => {
  stub = await startStubApi(SECRET);
  // A 2 s 16:9 clip with motion (testsrc2 animates) and a 600 Hz tone as its own audio.
  await serveMade(
    "clip.mp4",
    [
      "-f",
      "lavfi",
      "-i",
      "testsrc2=s=640x360:r=25:d=2",
      "-f",
      "lavfi",
      "-i",
      "sine=f=600:d=2",
      "-c:v",
      "libx264",
      "-pix_fmt",
      "yuv420p",
      "-c:a",
      "aac",
      "-shortest",
    ],
    "video/mp4",
  );
  await serveMade(
    "short.mp4",
    ["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=0.3", "-c:v", "libx264", "-pix_fmt", "yuv420p"],
    "video/mp4",
  );
  await serveMade("audio-only.mp4", ["-f", "lavfi", "-i", "sine=f=300:d=2", "-c:a", "aac"], "video/mp4");
  await serveMade("still.png", ["-f", "lavfi", "-i", "smptehdbars=s=720x720", "-frames:v", "1"], "image/png");
  // A clip whose media data is cut off: a video track, but not one frame can be read.
  const cut = join(media, "faststart.mp4");
  await exec("ffmpeg", [
    "-v",
    "error",
    "-y",
    "-i",
    join(media, "short.mp4"),
    "-c",
    "copy",
    "-movflags",
    "+faststart",
    cut,
  ]);
  const fast = await readFile(cut);
  stub.serve("/files/no-frames.mp4", fast.subarray(0, fast.indexOf("mdat") + 4), "video/mp4");
  stub.serve("/files/not-video.mp4", "<html>not a video</html>", "video/mp4");
  // A line longer than the clip: the clip is held on its last frame to the line's end.
  const config = testConfig(stub);
  const spoken = await synthesize(
    {
      bin: { ffmpegPath: "ffmpeg", ffprobePath: "ffprobe" },
      espeakPath: "espeak-ng",
      workDir: config.WORK_DIR,
    },
    { text: "我等这一刻已经等了很久很久，久到几乎忘记了自己为什么要等。", voice_key: "char-9:苏" },
  );
  lineSeconds = spoken.duration;
  stub.serve("/files/long-line.wav", spoken.wav, "audio/wav");
  hashes["long-line.wav"] = sha256(spoken.wav);
});
afterAll(() => stub.close());

const clip = (name: string, over: Record<string, unknown> = {}) => ({
  url: `${stub.origin}/files/${name}`,
  hash: hashes[name] ?? "0".repeat(64),
  ...over,
});

function film(id: string, scenes: RenderSpecInput["scenes"]): RenderSpecInput {
  return {
    render_id: id,
    aspect_ratio: "1:1",
    resolution: "720p",
    include_subtitles: true,
    scenes,
    outputs: { video: stub.target(`${id}.mp4`), srt: stub.target(`${id}.srt`) },
    callback_url: `${stub.origin}/events`,
  };
}

describe("video clips in the film", () => {
  it("composes a clip held to its line's audio and a still: duration, motion, hold, captions", async () => {
    const result = await renderSpec(
      stub,
      film("clip-film", [
        {
          clip: clip("clip.mp4"),
          lines: [
            {
              speaker: "苏",
              text: "我等这一刻已经等了很久很久。",
              audio_url: `${stub.origin}/files/long-line.wav`,
              audio_duration: lineSeconds,
              audio_hash: hashes["long-line.wav"] ?? "",
            },
          ],
          duration: 1.5,
        },
        { image_url: `${stub.origin}/files/still.png`, caption: "第二场", duration: 2 },
      ]),
    );
    const [shot0, shot1] = result.shots;
    expect(shot0).toMatchObject({ source: "clip", start: 0 });
    expect(shot1).toMatchObject({ source: "image" });
    // The shot is as long as its line needs, which is longer than the 2 s clip: held.
    expect(shot0?.duration).toBeGreaterThan(Math.max(2.5, lineSeconds));
    const file = (await stub.uploaded("clip-film.mp4"))?.file ?? "";
    const probed = await ffprobe(file);
    const planned = (shot0?.duration ?? 0) + (shot1?.duration ?? 0) - 0.5;
    expect(Math.abs(probed.duration - planned)).toBeLessThan(0.1);
    expect(probed.streams.find((s) => s.codec_type === "video")).toMatchObject({ width: 720, height: 720 });
    const frame = (t: number) => grayFrame(file, t, 720, 720);
    // Motion: two moments inside the clip differ in the picture (above the caption area).
    expect(meanDiff(await frame(0.2), await frame(1.2), 720, 720, 0, 0.6)).toBeGreaterThan(2);
    // Held: after the clip's 2 s, the picture stands still until the crossfade.
    const fadeStart = (shot0?.duration ?? 0) - 0.5;
    expect(meanDiff(await frame(2.2), await frame(fadeStart - 0.1), 720, 720, 0, 0.6)).toBeLessThan(1);
    // Cover-cropped 16:9 into 1:1: no black bars at the sides.
    const f = await frame(0.5);
    let edge = 0;
    for (let y = 0; y < 720; y++) edge += (f[y * 720] ?? 0) + (f[y * 720 + 719] ?? 0);
    expect(edge / 1440).toBeGreaterThan(20);
    // The line's caption is burned in over the clip while it is spoken, and the cue is its audio.
    const cues = parseSrt(await readFile((await stub.uploaded("clip-film.srt"))?.file ?? "", "utf8"));
    expect(cues[0]?.end).toBeCloseTo((cues[0]?.start ?? 0) + lineSeconds, 2);
    // Provider-native audio is not kept unless asked.
    expect(result.audio.stems.map((s) => s.kind)).toEqual(["dialogue"]);
  });

  it("trims a clip longer than its shot, and keeps its own audio when asked", async () => {
    const result = await renderSpec(
      stub,
      film("clip-trim", [
        { clip: clip("clip.mp4", { keep_audio: true }), duration: 1.2 },
        { image_url: `${stub.origin}/files/still.png`, duration: 1.5 },
      ]),
    );
    const file = (await stub.uploaded("clip-trim.mp4"))?.file ?? "";
    expect(Math.abs((await ffprobe(file)).duration - 2.2)).toBeLessThan(0.1);
    expect(result.audio.stems).toEqual([
      expect.objectContaining({ kind: "clip", scene: 0, hash: hashes["clip.mp4"], start: 0, duration: 1.2 }),
    ]);
    // Its 600 Hz tone is in the mix during the clip.
    expect(await bandLevel(file, 600, 0.3, 0.9)).toBeGreaterThan(-40);
  });

  it("refuses, naming the scene, a clip that is not a video, has no frames, or is shorter than 0.5 s", async () => {
    const cases: [string, RegExp][] = [
      ["not-video.mp4", /scenes\[1\]\.clip: .*not a video file/],
      ["audio-only.mp4", /scenes\[1\]\.clip: the clip is not a video \(no video stream\)/],
      ["no-frames.mp4", /scenes\[1\]\.clip: the clip has no frames/],
      ["short.mp4", /scenes\[1\]\.clip: the clip is 0\.\d+ s long, shorter than 0\.5 s/],
    ];
    for (const [name, pattern] of cases) {
      const id = `bad-${name.replace(/\W/g, "")}`;
      await expect(
        renderSpec(
          stub,
          film(id, [
            { image_url: `${stub.origin}/files/still.png`, duration: 1.5 },
            { clip: clip(name), duration: 1.5 },
          ]),
        ),
      ).rejects.toThrow(pattern);
      expect(await stub.uploaded(`${id}.mp4`)).toBeUndefined();
    }
  });
});
