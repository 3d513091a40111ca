import { mkdtempSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deriveEspeakVoice,
  ESPEAK_VARIANTS,
  FEMALE_VARIANTS,
  NARRATOR_VOICE,
  SPEECH_HEADERS,
  speechLanguage,
} from "../../contracts/speech";
import { espeakArgs } from "../src/ffmpeg/espeak";
import { createRenderer, type Renderer } from "../src/main";
import { ffprobe, medianPitch, spectralCentroid } from "./helpers/media";
import { SECRET, signed, testConfig } from "./helpers/renderer";
import { type StubApi, startStubApi } from "./helpers/stub-api";

let stub: StubApi;
let renderer: Renderer;
const media = mkdtempSync(join(tmpdir(), "sds-speech-"));

beforeAll(async () => {
  stub = await startStubApi(SECRET);
  renderer = await createRenderer(testConfig(stub));
});
afterAll(async () => {
  await renderer.queue.close(1000);
  await stub.close();
});

async function speak(body: unknown) {
  const res = await signed(renderer.app, "POST", "/v1/speech", body);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { res, bytes };
}

describe("voices derived from a stable key (pure)", () => {
  it("gives the same key the same voice, different keys different voices, and the narrator its defaults", () => {
    const a = deriveEspeakVoice({ voice_key: "char-1:林夏", text: "你好" });
    expect(deriveEspeakVoice({ voice_key: "char-1:林夏", text: "你好" })).toEqual(a);
    expect(a.language).toBe("cmn");
    const keys = Array.from({ length: 40 }, (_, i) => `char-${i}:角色${i}`);
    const voices = keys.map((voice_key) => deriveEspeakVoice({ voice_key, text: "hi" }));
    const distinct = new Set(voices.map((v) => `${v.variant}|${v.pitch}|${v.speed}|${v.wordGap}`));
    expect(distinct.size).toBe(40);
    for (const v of voices) {
      expect(ESPEAK_VARIANTS).toContain(v.variant);
      expect(v.pitch).toBeGreaterThanOrEqual(28);
      expect(v.pitch).toBeLessThanOrEqual(76);
      expect(v.speed).toBeGreaterThanOrEqual(150);
      expect(v.language).toBe("en");
    }
    expect(deriveEspeakVoice({ text: "旁白" })).toEqual({ language: "cmn", ...NARRATOR_VOICE });
    const female = deriveEspeakVoice({ voice_key: "k", gender: "female" });
    expect(FEMALE_VARIANTS).toContain(female.variant);
    const over = deriveEspeakVoice({ voice_key: "k", variant: "m7", pitch: 10, speed: 2 });
    expect(over).toMatchObject({ variant: "m7", pitch: 10, speed: Math.round(female.speed * 2) });
    expect(speechLanguage("Hello 你好")).toBe("cmn");
    expect(speechLanguage("Hello")).toBe("en");
    expect(speechLanguage("你好", "en")).toBe("en");
  });

  it("passes the text on stdin, never as an argument", () => {
    const args = espeakArgs(deriveEspeakVoice({ voice_key: "x", text: "--help -w /etc/passwd" }), "/w/o.wav");
    expect(args).toEqual(expect.arrayContaining(["--stdin", "-w", "/w/o.wav"]));
    expect(args.join(" ")).not.toContain("passwd");
  });
});

describe("POST /v1/speech (real espeak-ng)", () => {
  it("speaks a Mandarin and an English line as 48 kHz mono WAV with the measured duration", async () => {
    for (const [text, language] of [
      ["雨夜里，她终于推开了那扇门。", "cmn"],
      ["Where have you been all night?", "en"],
    ] as const) {
      const { res, bytes } = await speak({ text, voice_key: "char-7:林夏" });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("audio/wav");
      const file = join(media, `${language}.wav`);
      await writeFile(file, bytes);
      const probed = await ffprobe(file);
      expect(probed.streams[0]).toMatchObject({ codec_name: "pcm_s16le", codec_type: "audio" });
      expect(probed.streams[0]).toMatchObject({ sample_rate: "48000", channels: 1 });
      const header = Number(res.headers.get(SPEECH_HEADERS.duration));
      expect(header).toBeGreaterThan(1);
      expect(Math.abs(header - probed.duration)).toBeLessThan(0.002);
      expect(JSON.parse(res.headers.get(SPEECH_HEADERS.voice) ?? "{}")).toMatchObject({ language });
    }
  });

  it("gives two characters measurably different voices, and one character the same bytes twice", async () => {
    const text = "我等了你三年，你终于回来了。";
    const first = await speak({ text, voice_key: "char-1:林夏", gender: "female" });
    const again = await speak({ text, voice_key: "char-1:林夏", gender: "female" });
    const other = await speak({ text, voice_key: "char-2:陈默", gender: "male" });
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.res.headers.get(SPEECH_HEADERS.voice)).toBe(first.res.headers.get(SPEECH_HEADERS.voice));
    const a = join(media, "a.wav");
    const b = join(media, "b.wav");
    await writeFile(a, first.bytes);
    await writeFile(b, other.bytes);
    const [pa, pb] = [await medianPitch(a), await medianPitch(b)];
    const [ca, cb] = [await spectralCentroid(a), await spectralCentroid(b)];
    // The same line in two voices: the pitch at least 20 % apart and the timbre (spectral centroid)
    // measurably different; one voice twice is identical to the byte.
    expect(Math.max(pa, pb) / Math.min(pa, pb), `pitch ${pa} vs ${pb} Hz`).toBeGreaterThan(1.2);
    expect(Math.abs(ca - cb), `centroid ${ca} vs ${cb} Hz`).toBeGreaterThan(50);
  });

  it("refuses bad requests with a clear error", async () => {
    const cases: [unknown, RegExp][] = [
      [{ text: "" }, /text/],
      [{ text: "x".repeat(1001) }, /text/],
      [{ text: "hi", language: "fr" }, /language/],
      [{ text: "hi", variant: "../../etc/passwd" }, /variant/],
      [{ text: "hi", pitch: 100 }, /pitch/],
      [{ text: "hi", rogue: true }, /rogue|Unrecognized/],
      [{ text: "。。。！" }, /nothing to speak/],
    ];
    for (const [body, pattern] of cases) {
      const { res, bytes } = await speak(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(bytes.toString()).toMatch(pattern);
    }
    const unsigned = await renderer.app.request("/v1/speech", { method: "POST", body: "{}" });
    expect(unsigned.status).toBe(401);
  });

  it("answers 503 naming espeak-ng on a host without it", async () => {
    const bare = await createRenderer(testConfig(stub, { ESPEAK_PATH: "/nonexistent/espeak-ng" }));
    try {
      const res = await signed(bare.app, "POST", "/v1/speech", { text: "你好" });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ missing: ["espeak-ng (/nonexistent/espeak-ng: not found)"] });
    } finally {
      await bare.queue.close(1000);
    }
  });
});
