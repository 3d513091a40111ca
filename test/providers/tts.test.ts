import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adapterFor } from "../../worker/providers/registry";
import type { AiBinding, TtsRequest } from "../../worker/providers/types";
import { server } from "../helpers/msw";
import { b64, CANARY, deps, expectNoCanary, MP3, png, providerError, recorder } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const line: TtsRequest = {
  model: "gpt-4o-mini-tts",
  text: "我们明天见。",
  voice: "alloy",
  speed: 1.1,
  language: "zh",
};
const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");

// Doc: OpenAI API reference, Audio — "Create speech" (POST /v1/audio/speech {model, input,
// voice, response_format, speed, instructions}) answering the audio bytes.
describe("OpenAI-compatible /audio/speech", () => {
  it("sends the documented body and returns verified audio", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://api.openai.com/v1/audio/speech",
        rec.record(() => new HttpResponse(MP3, { headers: { "content-type": "audio/mpeg" } })),
      ),
    );
    const out = await adapterFor("openai", "tts")!.start(
      { ...line, emotion: "gentle" },
      { api_key: CANARY },
      deps(),
    );
    expect(out.state === "done" && out.result.audio).toMatchObject({
      type: "bytes",
      mediaType: "audio/mpeg",
    });
    expect(out.state === "done" && out.result.characters).toBe(6);
    const sent = rec.requests[0]!;
    expect(sent.headers.get("authorization")).toBe(`Bearer ${CANARY}`);
    expect(await sent.json()).toMatchObject({
      model: "gpt-4o-mini-tts",
      input: line.text,
      voice: "alloy",
      response_format: "mp3",
      speed: 1.1,
      instructions: expect.stringContaining("gentle"),
    });
  });

  it("a gateway on the account's base_url (LiteLLM, Fish) gets the same route", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://llm.example.com/v1/audio/speech",
        rec.record(() => new HttpResponse(MP3)),
      ),
    );
    const out = await adapterFor("openai_compatible", "tts")!.start(
      { ...line, model: "fish-speech-1.5" },
      { api_key: CANARY, base_url: "https://llm.example.com/v1" },
      deps(),
    );
    expect(out.state).toBe("done");
    expect(rec.requests).toHaveLength(1);
  });

  it("non-audio and empty audio fail the item cleanly", async () => {
    server.use(
      http.post(
        "https://api.openai.com/v1/audio/speech",
        () => new HttpResponse(png(10, 10), { headers: { "content-type": "audio/mpeg" } }),
      ),
    );
    await providerError(
      adapterFor("openai", "tts")!.start(line, { api_key: CANARY }, deps()),
      "malformed_response",
    );
    server.use(
      http.post(
        "https://api.openai.com/v1/audio/speech",
        () => new HttpResponse(new Uint8Array(), { headers: { "content-type": "audio/mpeg" } }),
      ),
    );
    await providerError(
      adapterFor("openai", "tts")!.start(line, { api_key: CANARY }, deps()),
      "malformed_response",
    );
  });
});

// Doc: ElevenLabs API reference, "Create speech with timing" (POST /v1/text-to-speech/{voice_id}/
// with-timestamps, header xi-api-key) → {audio_base64, alignment: {characters,
// character_start_times_seconds, character_end_times_seconds}}.
describe("ElevenLabs with timestamps", () => {
  it("returns the audio and per-character timings", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://api.elevenlabs.io/v1/text-to-speech/voice-lin/with-timestamps",
        rec.record(() =>
          HttpResponse.json({
            audio_base64: b64(MP3),
            alignment: {
              characters: ["H", "i"],
              character_start_times_seconds: [0, 0.12],
              character_end_times_seconds: [0.12, 0.31],
            },
          }),
        ),
      ),
    );
    const out = await adapterFor("elevenlabs", "tts")!.start(
      { model: "eleven_multilingual_v2", text: "Hi", voice: "voice-lin", language: "en" },
      { api_key: CANARY },
      deps(),
    );
    expect(out.state).toBe("done");
    if (out.state !== "done") return;
    expect(out.result.timings).toEqual([
      { text: "H", startMs: 0, endMs: 120 },
      { text: "i", startMs: 120, endMs: 310 },
    ]);
    expect(out.result.durationMs).toBe(310);
    const sent = rec.requests[0]!;
    expect(sent.headers.get("xi-api-key")).toBe(CANARY);
    expect(new URL(sent.url).searchParams.get("output_format")).toBe("mp3_44100_128");
    expect(await sent.json()).toMatchObject({
      text: "Hi",
      model_id: "eleven_multilingual_v2",
      language_code: "en",
    });
  });

  it("JSON without audio is malformed", async () => {
    server.use(
      http.post("https://api.elevenlabs.io/v1/text-to-speech/v/with-timestamps", () =>
        HttpResponse.json({ alignment: null }),
      ),
    );
    await providerError(
      adapterFor("elevenlabs", "tts")!.start(
        { model: "eleven_flash_v2_5", text: "Hi", voice: "v" },
        { api_key: CANARY },
        deps(),
      ),
      "malformed_response",
    );
  });
});

// Doc: MiniMax, "T2A v2" (platform.minimax.io/docs/api-reference/speech-t2a-http): POST
// /v1/t2a_v2 {model, text, stream, voice_setting, audio_setting} → {data: {audio: hex},
// extra_info: {audio_length}, base_resp: {status_code, status_msg}}.
describe("MiniMax t2a_v2", () => {
  const url = "https://api.minimax.io/v1/t2a_v2";
  const req: TtsRequest = {
    model: "speech-02-hd",
    text: "你好",
    voice: "female-shaonv",
    pitch: 2,
    emotion: "happy",
    speed: 0.9,
  };

  it("decodes the hex audio and reports its length", async () => {
    const rec = recorder();
    server.use(
      http.post(
        url,
        rec.record(() =>
          HttpResponse.json({
            data: { audio: hex(MP3), status: 2 },
            extra_info: { audio_length: 1480, usage_characters: 2 },
            trace_id: "t",
            base_resp: { status_code: 0, status_msg: "success" },
          }),
        ),
      ),
    );
    const out = await adapterFor("minimax", "tts")!.start(req, { api_key: CANARY, group_id: "g-1" }, deps());
    expect(out.state === "done" && out.result.durationMs).toBe(1480);
    const sent = rec.requests[0]!;
    expect(new URL(sent.url).searchParams.get("GroupId")).toBe("g-1");
    expect(await sent.json()).toMatchObject({
      model: "speech-02-hd",
      text: "你好",
      stream: false,
      voice_setting: { voice_id: "female-shaonv", speed: 0.9, pitch: 2, emotion: "happy" },
      audio_setting: { format: "mp3" },
    });
  });

  it("errors inside base_resp (HTTP 200) map onto the closed set", async () => {
    server.use(
      http.post(url, () =>
        HttpResponse.json({ base_resp: { status_code: 1004, status_msg: `authorized failed ${CANARY}` } }),
      ),
    );
    await providerError(
      adapterFor("minimax", "tts")!.start(req, { api_key: CANARY }, deps()),
      "bad_credentials",
    );
    server.use(
      http.post(url, () => HttpResponse.json({ base_resp: { status_code: 1002, status_msg: "rate limit" } })),
    );
    await providerError(
      adapterFor("minimax", "tts")!.start(req, { api_key: CANARY }, deps()),
      "rate_limited",
    );
    server.use(
      http.post(url, () => HttpResponse.json({ data: { audio: "" }, base_resp: { status_code: 0 } })),
    );
    await providerError(
      adapterFor("minimax", "tts")!.start(req, { api_key: CANARY }, deps()),
      "malformed_response",
    );
  });
});

// Doc: Alibaba Cloud Model Studio, "Qwen-TTS API" (help.aliyun.com/zh/model-studio/qwen-tts-api):
// POST /api/v1/services/aigc/multimodal-generation/generation {model, input: {text, voice,
// language_type}} → {output: {audio: {url}}}.
describe("Qwen-TTS on DashScope", () => {
  it("downloads the audio URL of the answer", async () => {
    const rec = recorder();
    const wav = new Uint8Array(44 + 4800);
    wav.set(new TextEncoder().encode("RIFF"), 0);
    wav.set(new TextEncoder().encode("WAVEfmt "), 8);
    new DataView(wav.buffer).setUint32(16, 16, true);
    new DataView(wav.buffer).setUint32(28, 48000, true);
    wav.set(new TextEncoder().encode("data"), 36);
    new DataView(wav.buffer).setUint32(40, 4800, true);
    server.use(
      http.post(
        "https://dashscope.aliyuncs.com/api/v1/services/aigc/multimodal-generation/generation",
        rec.record(() =>
          HttpResponse.json({
            output: {
              audio: { url: "https://dashscope-result.oss-cn-beijing.aliyuncs.com/a.wav", expires_at: 1 },
              finish_reason: "stop",
            },
            usage: { characters: 2 },
          }),
        ),
      ),
      http.get("https://dashscope-result.oss-cn-beijing.aliyuncs.com/a.wav", () => new HttpResponse(wav)),
    );
    const out = await adapterFor("dashscope", "tts")!.start(
      { model: "qwen3-tts-flash", text: "你好", voice: "Cherry", language: "zh" },
      { api_key: CANARY },
      deps(),
    );
    expect(out.state === "done" && out.result.audio).toMatchObject({ mediaType: "audio/wav" });
    expect(out.state === "done" && out.result.durationMs).toBe(100);
    expect(await rec.requests[0]!.json()).toEqual({
      model: "qwen3-tts-flash",
      input: { text: "你好", voice: "Cherry", language_type: "Chinese" },
    });
  });
});

// Doc: Workers AI, MeloTTS (developers.cloudflare.com/workers-ai/models/melotts): inputs
// `{prompt, lang}`, answer `{audio: base64 MP3}`.
describe("MeloTTS on Workers AI (AI binding)", () => {
  it("runs with prompt and lang and verifies the MP3", async () => {
    const calls: unknown[] = [];
    const ai: AiBinding = {
      async run(model, inputs) {
        calls.push({ model, inputs });
        return { audio: b64(MP3) };
      },
    };
    const out = await adapterFor("workers_ai", "tts")!.start(
      { model: "@cf/myshell-ai/melotts", text: "Hello there", voice: "", language: "en" },
      {},
      deps({ ai }),
    );
    expect(out.state === "done" && out.result.audio).toMatchObject({ mediaType: "audio/mpeg" });
    expect(calls).toEqual([
      { model: "@cf/myshell-ai/melotts", inputs: { prompt: "Hello there", lang: "en" } },
    ]);
    expectNoCanary(out);
  });

  it("empty text is refused without a call", async () => {
    const ai: AiBinding = { run: async () => ({ audio: b64(MP3) }) };
    await providerError(
      adapterFor("workers_ai", "tts")!.start(
        { model: "@cf/myshell-ai/melotts", text: "  ", voice: "" },
        {},
        deps({ ai }),
      ),
      "refused",
    );
  });
});
