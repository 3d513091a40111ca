import { ARK_BASE_URL, seedreamImage } from "./image/ark-seedream";
import { falImage } from "./image/fal";
import { openAiImage } from "./image/openai";
import { runwayImage } from "./image/runway";
import { workersAiImage } from "./image/workers-ai-flux";
import { openAiCompatibleLlm } from "./llm/openai-compatible";
import { workersAiLlm } from "./llm/workers-ai";
import { PLATFORM_IDS, PLATFORMS, type PlatformId } from "./platforms";
import { DASHSCOPE_BASE_URL, dashscopeSpeech } from "./tts/dashscope";
import { elevenLabsSpeech } from "./tts/elevenlabs";
import { minimaxSpeech } from "./tts/minimax";
import { openAiCompatibleSpeech } from "./tts/openai-compatible";
import { workersAiSpeech } from "./tts/workers-ai";
import type { Adapter, ProviderKind } from "./types";
import { seedanceVideo } from "./video/ark-seedance";
import { wanVideo } from "./video/dashscope-wan";
import { klingVideo } from "./video/kling";
import { hailuoVideo } from "./video/minimax-hailuo";
import { runwayVideo } from "./video/runway";
import { viduVideo } from "./video/vidu";

/** The adapters: which code calls a platform for a kind (providers/platforms.ts lists them). */

const ADAPTERS: { [P in PlatformId]?: Partial<{ [K in ProviderKind]: Adapter<K> }> } = {
  dreamina: { image: seedreamImage("dreamina"), video: seedanceVideo("dreamina") },
  runway: { image: runwayImage, video: runwayVideo },
  openai: {
    llm: openAiCompatibleLlm({
      platform: "openai",
      vendor: "OpenAI",
      defaultBaseUrl: "https://api.openai.com/v1",
      supportsStructuredOutputs: true,
    }),
    image: openAiImage,
    tts: openAiCompatibleSpeech("openai"),
  },
  openai_compatible: {
    llm: openAiCompatibleLlm({
      platform: "openai_compatible",
      vendor: "OpenAI-compatible endpoint",
      supportsStructuredOutputs: false,
    }),
    tts: openAiCompatibleSpeech("openai_compatible"),
  },
  workers_ai: { llm: workersAiLlm, image: workersAiImage, tts: workersAiSpeech },
  ark: {
    llm: openAiCompatibleLlm({
      platform: "ark",
      vendor: "Volcengine Ark",
      defaultBaseUrl: ARK_BASE_URL,
      supportsStructuredOutputs: false,
    }),
    image: seedreamImage("ark"),
    video: seedanceVideo("ark"),
  },
  fal: { image: falImage },
  kling: { video: klingVideo },
  minimax: { tts: minimaxSpeech, video: hailuoVideo },
  vidu: { video: viduVideo },
  dashscope: {
    llm: openAiCompatibleLlm({
      platform: "dashscope",
      vendor: "DashScope",
      defaultBaseUrl: `${DASHSCOPE_BASE_URL}/compatible-mode/v1`,
      supportsStructuredOutputs: false,
      baseUrlSuffix: "/compatible-mode/v1",
    }),
    tts: dashscopeSpeech,
    video: wanVideo,
  },
  elevenlabs: { tts: elevenLabsSpeech },
};

export function isPlatformId(value: string): value is PlatformId {
  return (PLATFORM_IDS as readonly string[]).includes(value);
}

/** The adapter the core calls for a platform and kind, or null (not offered, or external only). */
export function adapterFor<K extends ProviderKind>(platform: string, kind: K): Adapter<K> | null {
  if (!isPlatformId(platform)) return null;
  return (ADAPTERS[platform]?.[kind] as Adapter<K> | undefined) ?? null;
}

/** The default model of a platform for a kind, or null. `*` platforms have none: the account names it. */
export function defaultModel(platform: PlatformId, kind: ProviderKind): string | null {
  const models = PLATFORMS[platform].models[kind] ?? [];
  const chosen = models.find((m) => m.default) ?? models[0];
  return chosen && chosen.id !== "*" ? chosen.id : null;
}
