import type { SpeechModelV4, SpeechModelV4CallOptions, SpeechModelV4Result } from "@ai-sdk/provider";
import { createWorkersAI } from "workers-ai-provider";
import { malformed, ProviderError } from "../errors";
import { callSignal } from "../http";
import { guardedBinding } from "../image/workers-ai-flux";
import { decodeBase64 } from "../media";
import { sdkSpeechAdapter } from "../sdk-adapters";
import type { AiBinding } from "../types";

/**
 * MeloTTS on Workers AI (`@cf/myshell-ai/melotts`: inputs `{prompt, lang}`, answer
 * `{audio: base64 MP3}`), by hand in the `SpeechModelV4` shape, because workers-ai-provider's
 * speech model sends `{text}` (the Deepgram Aura input) which MeloTTS does not read. Aura models
 * go through workers-ai-provider as they are.
 */
export class MeloTtsSpeechModel implements SpeechModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "workers-ai.speech";

  constructor(
    readonly modelId: string,
    private readonly binding: AiBinding,
  ) {}

  async doGenerate(options: SpeechModelV4CallOptions): Promise<SpeechModelV4Result> {
    const lang = (options.language ?? "en").slice(0, 2);
    const output = await this.binding.run(this.modelId, { prompt: options.text, lang });
    const audio = (output as { audio?: unknown } | null)?.audio;
    if (typeof audio !== "string" || !audio) throw malformed("Workers AI", "no audio in the answer");
    return {
      audio: decodeBase64("Workers AI", audio),
      warnings: [],
      response: { timestamp: new Date(), modelId: this.modelId },
    };
  }
}

export const workersAiSpeech = sdkSpeechAdapter({
  platform: "workers_ai",
  vendor: "Workers AI",
  build({ ctx, request }) {
    const binding = ctx.deps.ai;
    if (!binding)
      throw new ProviderError("refused", "Workers AI is not bound in this deployment (no AI binding)");
    const guarded = guardedBinding(binding, callSignal(ctx.deps, "tts"));
    if (request.model.startsWith("@cf/deepgram/")) {
      const workersai = createWorkersAI({ binding: guarded as unknown as Ai });
      return {
        model: workersai.speech(request.model as Parameters<typeof workersai.speech>[0]),
        voice: request.voice,
      };
    }
    return {
      model: new MeloTtsSpeechModel(request.model, guarded),
      ...(request.language ? { language: request.language } : {}),
    };
  },
});
