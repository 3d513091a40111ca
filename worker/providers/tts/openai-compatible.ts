import { createOpenAI } from "@ai-sdk/openai";
import { sdkSpeechAdapter } from "../sdk-adapters";

/**
 * `POST {base}/audio/speech` through `@ai-sdk/openai`'s speech model: OpenAI itself, and the
 * servers that copy the route (Fish Audio's OpenAI mode, LiteLLM and other gateways). The emotion
 * becomes an instruction, which `gpt-4o-mini-tts` follows and `tts-1` ignores.
 */
export function openAiCompatibleSpeech(platform: "openai" | "openai_compatible") {
  return sdkSpeechAdapter({
    platform,
    vendor: platform === "openai" ? "OpenAI" : "OpenAI-compatible TTS",
    ...(platform === "openai" ? { defaultBaseUrl: "https://api.openai.com/v1" } : {}),
    build({ credentials, ctx, request }) {
      const openai = createOpenAI({
        apiKey: credentials.api_key ?? "",
        baseURL: ctx.url(""),
        fetch: ctx.fetch,
      });
      return {
        model: openai.speech(request.model),
        voice: request.voice,
        ...(request.speed !== undefined ? { speed: request.speed } : {}),
        outputFormat: request.format ?? "mp3",
        ...(request.emotion ? { instructions: `Speak with a ${request.emotion} tone.` } : {}),
      };
    },
  });
}
