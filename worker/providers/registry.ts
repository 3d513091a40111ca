import { z } from "zod";
import { assertPublicHttpUrl } from "../platform/url-guard";
import { ARK_BASE_URL, seedreamImage } from "./image/ark-seedream";
import { falImage } from "./image/fal";
import { openAiImage } from "./image/openai";
import { runwayImage } from "./image/runway";
import { workersAiImage } from "./image/workers-ai-flux";
import { openAiCompatibleLlm } from "./llm/openai-compatible";
import { workersAiLlm } from "./llm/workers-ai";
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

/**
 * The one table of platforms. Ids are lowercase and stable: they are the `platform` of the
 * automation API's platform accounts, whose credentials and daily quotas every call leases.
 *
 * Prices are ours, not the vendors': credits (1 credit = ¥1) per unit, stored as integer
 * hundredths like every amount in D1, chosen to cover a vendor's list price with a margin in
 * late 2026. They are defaults; `priceTable(overrides)` applies an operator's table.
 */
export const PLATFORM_IDS = [
  "dreamina",
  "midjourney",
  "runway",
  "openai",
  "openai_compatible",
  "workers_ai",
  "ark",
  "fal",
  "kling",
  "minimax",
  "vidu",
  "dashscope",
  "elevenlabs",
] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

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

// ---- credentials ------------------------------------------------------------------------------

const secret = z.string().trim().min(8, "looks too short for a key").max(4096);
const optionalText = z.string().trim().min(1).max(200).optional();

function baseUrlField(allowPrivate: boolean, required: boolean) {
  const field = z
    .string()
    .trim()
    .max(500)
    .superRefine((value, ctx) => {
      try {
        assertPublicHttpUrl(value, { allowPrivate });
      } catch (error) {
        ctx.addIssue({
          code: "custom",
          message: error instanceof Error ? error.message : "not an allowed URL",
        });
      }
    });
  return required ? field : field.optional();
}

/**
 * The zod schema that validates a platform account's credentials for this platform (on create
 * and update). base_url passes the SSRF guard; only local development allows private hosts.
 */
export function credentialsSchema(platform: PlatformId, opts: { allowPrivateBaseUrls?: boolean } = {}) {
  const allowPrivate = opts.allowPrivateBaseUrls === true;
  const apiKey = { api_key: secret };
  switch (platform) {
    case "midjourney":
      return z.record(z.string(), z.string());
    case "workers_ai":
      return z.object({ gateway_id: optionalText }).strict();
    case "openai":
      return z
        .object({ ...apiKey, base_url: baseUrlField(allowPrivate, false), organization: optionalText })
        .strict();
    case "openai_compatible":
      return z
        .object({
          api_key: z.string().trim().max(4096).optional(),
          base_url: baseUrlField(allowPrivate, true),
          structured_outputs: z.enum(["true", "false"]).optional(),
        })
        .strict();
    case "kling":
      return z
        .object({
          access_key: secret,
          secret_key: secret,
          base_url: baseUrlField(allowPrivate, false),
          mode: z.enum(["std", "pro"]).optional(),
        })
        .strict();
    case "minimax":
      return z
        .object({ ...apiKey, group_id: optionalText, base_url: baseUrlField(allowPrivate, false) })
        .strict();
    default:
      return z.object({ ...apiKey, base_url: baseUrlField(allowPrivate, false) }).strict();
  }
}

// ---- adapters -----------------------------------------------------------------------------------

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

// ---- prices -------------------------------------------------------------------------------------

/**
 * Operator overrides: `{ "<platform>": { "<model or *>": credits } }`, credits with at most two
 * decimals (they become integer hundredths). Validated, so a typo cannot make a model free.
 */
export const PriceOverridesSchema = z.partialRecord(
  z.enum(PLATFORM_IDS),
  z.record(
    z.string().min(1).max(200),
    z
      .number()
      .min(0)
      .max(100_000)
      .refine(
        (v) => Number.isInteger(Math.round(v * 100)) && Math.abs(v * 100 - Math.round(v * 100)) < 1e-6,
        {
          message: "at most two decimals",
        },
      ),
  ),
);
export type PriceOverrides = z.infer<typeof PriceOverridesSchema>;

export interface UnitPrice {
  unit: PriceUnit;
  /** Hundredths of a credit per unit. */
  hundredths: number;
}

/**
 * The price of one unit of a model, or null when the platform does not offer that model for
 * the kind. Overrides win, then the model's default, then the platform's `*` entry.
 */
export function unitPrice(
  platform: PlatformId,
  kind: ProviderKind,
  model: string,
  overrides: PriceOverrides = {},
): UnitPrice | null {
  const unit = UNIT_OF_KIND[kind];
  const override = overrides[platform]?.[model] ?? overrides[platform]?.["*"];
  const models = PLATFORMS[platform].models[kind] ?? [];
  const entry = models.find((m) => m.id === model) ?? models.find((m) => m.id === "*");
  if (!entry) return null;
  if (override !== undefined) return { unit, hundredths: Math.round(override * 100) };
  return { unit, hundredths: entry.price };
}

/** The full table (defaults with overrides applied), for docs and `GET /providers`. */
export function priceTable(overrides: PriceOverrides = {}) {
  return PLATFORM_IDS.flatMap((platform) =>
    (Object.keys(PLATFORMS[platform].models) as ProviderKind[]).flatMap((kind) =>
      (PLATFORMS[platform].models[kind] ?? []).map((m) => ({
        platform,
        kind,
        model: m.id,
        ...(unitPrice(platform, kind, m.id, overrides) as UnitPrice),
      })),
    ),
  );
}
