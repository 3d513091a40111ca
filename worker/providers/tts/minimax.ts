import type { SpeechModelV4, SpeechModelV4CallOptions, SpeechModelV4Result } from "@ai-sdk/provider";
import { z } from "zod";
import { malformed } from "../errors";
import { type CallContext, jsonHeaders } from "../http";
import { sdkSpeechAdapter } from "../sdk-adapters";
import { BaseResp, groupQuery, hexToBytes, MINIMAX_BASE_URL, minimaxError } from "../vendors/minimax";

const T2aAnswer = z.object({
  data: z.object({ audio: z.string().nullish(), status: z.number().nullish() }).nullish(),
  extra_info: z
    .object({ audio_length: z.number().nullish(), usage_characters: z.number().nullish() })
    .nullish(),
  base_resp: BaseResp.nullish(),
});

const EMOTIONS = new Set(["happy", "sad", "angry", "fearful", "disgusted", "surprised", "calm", "neutral"]);

export interface MiniMaxSpeechOptions {
  pitch?: number;
  emotion?: string;
  groupId?: string;
}

/**
 * MiniMax `POST /v1/t2a_v2` (non-streaming), by hand in the `SpeechModelV4` shape: no AI SDK
 * provider exists. The audio comes back hex-encoded in `data.audio`; `extra_info.audio_length`
 * is its duration in milliseconds.
 */
export class MiniMaxSpeechModel implements SpeechModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "minimax.speech";

  constructor(
    readonly modelId: string,
    private readonly ctx: CallContext,
    private readonly apiKey: string,
    private readonly extra: MiniMaxSpeechOptions,
  ) {}

  async doGenerate(options: SpeechModelV4CallOptions): Promise<SpeechModelV4Result> {
    const emotion = this.extra.emotion && EMOTIONS.has(this.extra.emotion) ? this.extra.emotion : undefined;
    const body = {
      model: this.modelId,
      text: options.text,
      stream: false,
      voice_setting: {
        voice_id: options.voice,
        speed: options.speed ?? 1,
        vol: 1,
        pitch: Math.max(-12, Math.min(12, Math.round(this.extra.pitch ?? 0))),
        ...(emotion ? { emotion } : {}),
      },
      audio_setting: { sample_rate: 32000, bitrate: 128000, format: "mp3", channel: 1 },
      ...(options.language
        ? {
            language_boost:
              options.language === "zh" ? "Chinese" : options.language === "en" ? "English" : "auto",
          }
        : {}),
    };
    const { value } = await this.ctx.json(
      this.ctx.url(`/v1/t2a_v2${groupQuery(this.extra.groupId)}`),
      {
        method: "POST",
        headers: jsonHeaders({ authorization: `Bearer ${this.apiKey}` }),
        body: JSON.stringify(body),
      },
      T2aAnswer,
    );
    const failure = minimaxError(value.base_resp, this.ctx.secrets);
    if (failure) throw failure;
    const audio = value.data?.audio ? hexToBytes(value.data.audio) : null;
    if (!audio) throw malformed("MiniMax", "no hex audio in data.audio");
    const durationMs = value.extra_info?.audio_length ?? undefined;
    return {
      audio,
      warnings: [],
      response: { timestamp: new Date(), modelId: this.modelId },
      providerMetadata: { minimax: durationMs !== undefined ? { durationMs } : {} },
    };
  }
}

export const minimaxSpeech = sdkSpeechAdapter({
  platform: "minimax",
  vendor: "MiniMax",
  defaultBaseUrl: MINIMAX_BASE_URL,
  build({ credentials, ctx, request }) {
    return {
      model: new MiniMaxSpeechModel(request.model, ctx, credentials.api_key ?? "", {
        ...(request.pitch !== undefined ? { pitch: request.pitch } : {}),
        ...(request.emotion ? { emotion: request.emotion } : {}),
        ...(credentials.group_id ? { groupId: credentials.group_id } : {}),
      }),
      voice: request.voice,
      ...(request.speed !== undefined ? { speed: request.speed } : {}),
      ...(request.language ? { language: request.language } : {}),
    };
  },
});
