/**
 * The ids of every platform an account can be held on: the automation API's documented three
 * first, then the ones the provider layer reaches. One list for the platform accounts (stored by
 * worker/db, validated by the automation surface) and the provider registry
 * (worker/providers/platforms.ts), here because both may import platform/ and neither the other.
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
