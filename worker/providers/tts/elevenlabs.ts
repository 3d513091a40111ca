import type { SpeechModelV4, SpeechModelV4CallOptions, SpeechModelV4Result } from "@ai-sdk/provider";
import { z } from "zod";
import { type CallContext, jsonHeaders } from "../http";
import { decodeBase64 } from "../media";
import { sdkSpeechAdapter } from "../sdk-adapters";
import type { TtsTiming } from "../types";

export const ELEVENLABS_BASE_URL = "https://api.elevenlabs.io";

const WithTimestamps = z.object({
  audio_base64: z.string().min(1),
  alignment: z
    .object({
      characters: z.array(z.string()),
      character_start_times_seconds: z.array(z.number()),
      character_end_times_seconds: z.array(z.number()),
    })
    .nullish(),
});

/**
 * ElevenLabs `POST /v1/text-to-speech/{voice_id}/with-timestamps`, written by hand because
 * `@ai-sdk/elevenlabs` calls the plain endpoint and drops the alignment. The character timings
 * are what lets subtitles follow the real audio; they come back in provider metadata.
 */
export class ElevenLabsTimestampedSpeechModel implements SpeechModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "elevenlabs.speech";

  constructor(
    readonly modelId: string,
    private readonly ctx: CallContext,
    private readonly apiKey: string,
  ) {}

  async doGenerate(options: SpeechModelV4CallOptions): Promise<SpeechModelV4Result> {
    const voice = encodeURIComponent(options.voice ?? "");
    // MP3 always: the PCM formats come back without a WAV header, which nothing downstream reads.
    const format = "mp3_44100_128";
    const body = {
      text: options.text,
      model_id: this.modelId,
      ...(options.language ? { language_code: options.language } : {}),
      ...(options.speed !== undefined ? { voice_settings: { speed: options.speed } } : {}),
    };
    const { value } = await this.ctx.json(
      this.ctx.url(`/v1/text-to-speech/${voice}/with-timestamps?output_format=${format}`),
      { method: "POST", headers: jsonHeaders({ "xi-api-key": this.apiKey }), body: JSON.stringify(body) },
      WithTimestamps,
    );
    const a = value.alignment;
    const timings: TtsTiming[] = a
      ? a.characters.map((text, i) => ({
          text,
          startMs: Math.round((a.character_start_times_seconds[i] ?? 0) * 1000),
          endMs: Math.round((a.character_end_times_seconds[i] ?? 0) * 1000),
        }))
      : [];
    const durationMs = timings.length ? timings[timings.length - 1]?.endMs : undefined;
    return {
      audio: decodeBase64("ElevenLabs", value.audio_base64),
      warnings: [],
      response: { timestamp: new Date(), modelId: this.modelId },
      providerMetadata: {
        elevenlabs: {
          timings: timings.map((t) => ({ text: t.text, startMs: t.startMs, endMs: t.endMs })),
          ...(durationMs !== undefined ? { durationMs } : {}),
        },
      },
    };
  }
}

export const elevenLabsSpeech = sdkSpeechAdapter({
  platform: "elevenlabs",
  vendor: "ElevenLabs",
  defaultBaseUrl: ELEVENLABS_BASE_URL,
  build({ credentials, ctx, request }) {
    return {
      model: new ElevenLabsTimestampedSpeechModel(request.model, ctx, credentials.api_key ?? ""),
      voice: request.voice,
      ...(request.speed !== undefined ? { speed: request.speed } : {}),
      ...(request.language ? { language: request.language } : {}),
      outputFormat: "mp3",
    };
  },
});
