import { PLATFORM_IDS, type PlatformId } from "../platform/platform-ids";
import { ARK_BASE_URL } from "./image/ark-seedream";
import { DASHSCOPE_BASE_URL } from "./tts/dashscope";
import type { ProviderKind } from "./types";

export { PLATFORM_IDS, type PlatformId };

/** What one unit of a model's price is. */
export type PriceUnit = "llm_1k_tokens" | "image" | "tts_1k_chars" | "video_second";

export const UNIT_OF_KIND: Record<ProviderKind, PriceUnit> = {
  llm: "llm_1k_tokens",
  image: "image",
  tts: "tts_1k_chars",
  video: "video_second",
};

export interface ModelInfo {
  /** The vendor's model id; `*` means any model the account names (OpenAI-compatible servers). */
  id: string;
  /** Default price in hundredths of a credit per unit of the kind. */
  price: number;
  default?: boolean;
}

export interface PlatformInfo {
  id: PlatformId;
  name: string;
  kinds: ProviderKind[];
  models: Partial<Record<ProviderKind, ModelInfo[]>>;
  /** Whether image generation (and video, where it applies) takes the characters' reference images. */
  acceptsReferenceImages: boolean;
  /** No vendor is reachable from the machines this is built and tested on; production decides. */
  reachableFromHere: false;
  /** Platforms with no public API: only an external worker (claiming tasks) can serve them. */
  externalOnly: boolean;
  /** Credential fields, for docs and `GET /providers`; the schema below is what validates. */
  credentialFields: { name: string; required: boolean; description: string }[];
  notes?: string;
}

const key = (description: string) => ({ name: "api_key", required: true, description });
const baseUrl = (description: string, required = false) => ({ name: "base_url", required, description });

/**
 * The one table of platforms, keyed by the ids of platform/platform-ids.ts: the `platform` of the
 * automation API's platform accounts, whose credentials and daily quotas every call leases.
 *
 * Prices are ours, not the vendors': credits (1 credit = ¥1) per unit, stored as integer
 * hundredths like every amount in D1, chosen to cover a vendor's list price with a margin in
 * late 2026. They are defaults; `priceTable(overrides)` applies an operator's table.
 */
export const PLATFORMS: Record<PlatformId, PlatformInfo> = {
  dreamina: {
    id: "dreamina",
    name: "Dreamina / Jimeng (Seedream and Seedance on Volcengine Ark)",
    kinds: ["image", "video"],
    models: {
      image: [
        { id: "doubao-seedream-4-0-250828", price: 30, default: true },
        { id: "doubao-seedream-4-5-251128", price: 40 },
      ],
      video: [{ id: "doubao-seedance-1-0-pro-250528", price: 100, default: true }],
    },
    acceptsReferenceImages: true,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      key("Volcengine Ark API key"),
      baseUrl("Ark API root (default Beijing region /api/v3)"),
    ],
    notes:
      "The platform name the automation API documents. Dreamina/Jimeng's official API is Volcengine Ark's Seedream (images) and Seedance (video); this platform is the same adapters as `ark`.",
  },
  midjourney: {
    id: "midjourney",
    name: "Midjourney",
    kinds: ["image"],
    models: {},
    acceptsReferenceImages: false,
    reachableFromHere: false,
    externalOnly: true,
    credentialFields: [],
    notes:
      "Midjourney has no public API. It stays an external-worker platform: a worker that has its own access claims the image tasks through the automation API; the studio has no adapter for it.",
  },
  runway: {
    id: "runway",
    name: "Runway",
    kinds: ["image", "video"],
    models: {
      image: [{ id: "gen4_image", price: 80, default: true }],
      video: [{ id: "gen4_turbo", price: 50, default: true }],
    },
    acceptsReferenceImages: true,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [key("Runway API secret (Bearer)")],
  },
  openai: {
    id: "openai",
    name: "OpenAI",
    kinds: ["llm", "image", "tts"],
    models: {
      llm: [
        { id: "gpt-4.1-mini", price: 2, default: true },
        { id: "gpt-4.1", price: 8 },
        { id: "gpt-4o-mini", price: 1 },
      ],
      image: [
        { id: "gpt-image-1", price: 50, default: true },
        { id: "gpt-image-1-mini", price: 20 },
      ],
      tts: [
        { id: "gpt-4o-mini-tts", price: 20, default: true },
        { id: "tts-1", price: 15 },
        { id: "tts-1-hd", price: 30 },
      ],
    },
    acceptsReferenceImages: true,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      key("OpenAI API key"),
      baseUrl("API root, for a proxy (default https://api.openai.com/v1)"),
      { name: "organization", required: false, description: "OpenAI organization id" },
    ],
  },
  openai_compatible: {
    id: "openai_compatible",
    name: "Any OpenAI-compatible endpoint (DeepSeek, Qwen, Doubao, Kimi, GLM, OpenRouter, LiteLLM, Fish)",
    kinds: ["llm", "tts"],
    models: { llm: [{ id: "*", price: 2, default: true }], tts: [{ id: "*", price: 20, default: true }] },
    acceptsReferenceImages: false,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      key("the server's API key"),
      baseUrl("API root ending before /chat/completions, e.g. https://api.deepseek.com/v1", true),
      {
        name: "structured_outputs",
        required: false,
        description: '"true" if the server supports json_schema',
      },
    ],
    notes: "The model is whatever the account's server serves; workflows name it.",
  },
  workers_ai: {
    id: "workers_ai",
    name: "Cloudflare Workers AI (the AI binding)",
    kinds: ["llm", "image", "tts"],
    models: {
      llm: [
        { id: "@cf/meta/llama-3.3-70b-instruct-fp8-fast", price: 1, default: true },
        { id: "@cf/qwen/qwen3-30b-a3b-fp8", price: 1 },
      ],
      image: [
        { id: "@cf/black-forest-labs/flux-2-klein-9b", price: 10, default: true },
        { id: "@cf/black-forest-labs/flux-2-dev", price: 20 },
        { id: "@cf/black-forest-labs/flux-1-schnell", price: 5 },
      ],
      tts: [
        { id: "@cf/myshell-ai/melotts", price: 2, default: true },
        { id: "@cf/deepgram/aura-1", price: 5 },
      ],
    },
    acceptsReferenceImages: true,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      { name: "gateway_id", required: false, description: "an AI Gateway to route through" },
    ],
    notes:
      "Needs no key: the binding is the credential. Reachable wherever the Worker is deployed with `[ai]`.",
  },
  ark: {
    id: "ark",
    name: "Volcengine Ark (Doubao, Seedream, Seedance)",
    kinds: ["llm", "image", "video"],
    models: {
      llm: [{ id: "doubao-1-5-pro-32k-250115", price: 1, default: true }],
      image: [
        { id: "doubao-seedream-4-0-250828", price: 30, default: true },
        { id: "doubao-seedream-4-5-251128", price: 40 },
      ],
      video: [
        { id: "doubao-seedance-1-0-pro-250528", price: 100, default: true },
        { id: "doubao-seedance-1-0-lite-i2v-250428", price: 60 },
      ],
    },
    acceptsReferenceImages: true,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [key("Volcengine Ark API key"), baseUrl(`Ark API root (default ${ARK_BASE_URL})`)],
  },
  fal: {
    id: "fal",
    name: "fal (FLUX)",
    kinds: ["image"],
    models: {
      image: [
        { id: "fal-ai/flux-2", price: 20, default: true },
        { id: "fal-ai/flux-2-pro", price: 40 },
        { id: "fal-ai/flux-pro/kontext", price: 40 },
      ],
    },
    acceptsReferenceImages: true,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [key("fal key (Authorization: Key ...)")],
  },
  kling: {
    id: "kling",
    name: "Kling",
    kinds: ["video"],
    models: {
      video: [
        { id: "kling-v2-1", price: 60, default: true },
        { id: "kling-v1-6", price: 40 },
      ],
    },
    acceptsReferenceImages: false,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      { name: "access_key", required: true, description: "Kling access key (JWT issuer)" },
      { name: "secret_key", required: true, description: "Kling secret key (signs the JWT)" },
      baseUrl("API root (default https://api-singapore.klingai.com)"),
      { name: "mode", required: false, description: '"std" (default) or "pro"' },
    ],
  },
  minimax: {
    id: "minimax",
    name: "MiniMax (Hailuo video, T2A speech)",
    kinds: ["tts", "video"],
    models: {
      tts: [
        { id: "speech-02-hd", price: 50, default: true },
        { id: "speech-02-turbo", price: 30 },
      ],
      video: [{ id: "MiniMax-Hailuo-02", price: 50, default: true }],
    },
    acceptsReferenceImages: false,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      key("MiniMax API key"),
      { name: "group_id", required: false, description: "GroupId, for keys that need it" },
      baseUrl("API root (default https://api.minimax.io; https://api.minimaxi.com in mainland China)"),
    ],
  },
  vidu: {
    id: "vidu",
    name: "Vidu",
    kinds: ["video"],
    models: {
      video: [
        { id: "viduq1", price: 60, default: true },
        { id: "vidu2.0", price: 40 },
      ],
    },
    acceptsReferenceImages: false,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      key("Vidu API key (Authorization: Token ...)"),
      baseUrl("API root (default https://api.vidu.com)"),
    ],
  },
  dashscope: {
    id: "dashscope",
    name: "Alibaba DashScope (Qwen, Qwen-TTS, Wan)",
    kinds: ["llm", "tts", "video"],
    models: {
      llm: [
        { id: "qwen-plus", price: 1, default: true },
        { id: "qwen-max", price: 4 },
      ],
      tts: [
        { id: "qwen3-tts-flash", price: 10, default: true },
        { id: "qwen-tts", price: 10 },
      ],
      video: [
        { id: "wan2.2-i2v-plus", price: 80, default: true },
        { id: "wan2.5-i2v-preview", price: 100 },
      ],
    },
    acceptsReferenceImages: false,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      key("DashScope (Model Studio) API key"),
      baseUrl(`API root (default ${DASHSCOPE_BASE_URL}; https://dashscope-intl.aliyuncs.com for Singapore)`),
    ],
    notes: "CosyVoice is only offered over DashScope's WebSocket API and is not supported; Qwen-TTS is.",
  },
  elevenlabs: {
    id: "elevenlabs",
    name: "ElevenLabs",
    kinds: ["tts"],
    models: {
      tts: [
        { id: "eleven_multilingual_v2", price: 150, default: true },
        { id: "eleven_flash_v2_5", price: 80 },
      ],
    },
    acceptsReferenceImages: false,
    reachableFromHere: false,
    externalOnly: false,
    credentialFields: [
      key("ElevenLabs API key (xi-api-key)"),
      baseUrl("API root (default https://api.elevenlabs.io)"),
    ],
  },
};
