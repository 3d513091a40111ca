import type { SpeechModelV4, SpeechModelV4CallOptions, SpeechModelV4Result } from "@ai-sdk/provider";
import { z } from "zod";
import { malformed } from "../errors";
import { type CallContext, jsonHeaders } from "../http";
import { decodeBase64 } from "../media";
import { sdkSpeechAdapter } from "../sdk-adapters";

export const DASHSCOPE_BASE_URL = "https://dashscope.aliyuncs.com";

const QwenTtsAnswer = z.object({
  output: z.object({
    audio: z.object({ url: z.string().nullish(), data: z.string().nullish() }).nullish(),
    finish_reason: z.string().nullish(),
  }),
  usage: z.object({ characters: z.number().nullish() }).nullish(),
});

const LANGUAGE_TYPES: Record<string, string> = { zh: "Chinese", en: "English", ja: "Japanese", ko: "Korean" };

/**
 * Qwen-TTS on DashScope (`POST /api/v1/services/aigc/multimodal-generation/generation`,
 * non-streaming), by hand in the `SpeechModelV4` shape: `@ai-sdk/alibaba` has chat, embeddings
 * and video but no speech. The answer is a short-lived URL of a WAV file (or, for some models,
 * inline base64), downloaded here through the guarded fetch. CosyVoice is only offered over
 * DashScope's WebSocket API, which a request/response adapter cannot drive; it is not supported.
 */
export class QwenTtsSpeechModel implements SpeechModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "dashscope.speech";

  constructor(
    readonly modelId: string,
    private readonly ctx: CallContext,
    private readonly apiKey: string,
  ) {}

  async doGenerate(options: SpeechModelV4CallOptions): Promise<SpeechModelV4Result> {
    const body = {
      model: this.modelId,
      input: {
        text: options.text,
        voice: options.voice,
        language_type: LANGUAGE_TYPES[options.language ?? ""] ?? "Auto",
      },
    };
    const { value } = await this.ctx.json(
      this.ctx.url("/api/v1/services/aigc/multimodal-generation/generation"),
      {
        method: "POST",
        headers: jsonHeaders({ authorization: `Bearer ${this.apiKey}` }),
        body: JSON.stringify(body),
      },
      QwenTtsAnswer,
    );
    const audio = value.output.audio;
    let bytes: Uint8Array;
    if (audio?.data) bytes = decodeBase64("DashScope", audio.data);
    else if (audio?.url) bytes = (await this.ctx.bytes(audio.url)).bytes;
    else throw malformed("DashScope", "no audio URL or data in output.audio");
    return { audio: bytes, warnings: [], response: { timestamp: new Date(), modelId: this.modelId } };
  }
}

export const dashscopeSpeech = sdkSpeechAdapter({
  platform: "dashscope",
  vendor: "DashScope",
  defaultBaseUrl: DASHSCOPE_BASE_URL,
  build({ credentials, ctx, request }) {
    return {
      model: new QwenTtsSpeechModel(request.model, ctx, credentials.api_key ?? ""),
      voice: request.voice,
      ...(request.language ? { language: request.language } : {}),
    };
  },
});
