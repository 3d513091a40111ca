import { z } from "zod";

/**
 * The offline voice of the built-in provider: `POST /v1/speech` on the renderer synthesises one
 * line with espeak-ng and answers a 48 kHz mono 16-bit WAV. WAV rather than AAC because the line
 * is an intermediate: the mix decodes it again, a lossy first generation would be wasted, and PCM
 * has no encoder delay or padding, so the measured duration is exactly where the speech ends —
 * which is what times the subtitles. A ten-second line is under 1 MB.
 */
export const SPEECH_LANGUAGES = ["cmn", "en"] as const;
export type SpeechLanguage = (typeof SPEECH_LANGUAGES)[number];

/** espeak-ng voice variants that sound usable in Mandarin and English, split by register. */
export const FEMALE_VARIANTS = ["f1", "f2", "f3", "f4", "f5", "Annie", "anika", "belinda"] as const;
export const MALE_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "Mike"] as const;
export const ESPEAK_VARIANTS = [...FEMALE_VARIANTS, ...MALE_VARIANTS] as const;
export type EspeakVariant = (typeof ESPEAK_VARIANTS)[number];

export const SpeechRequestSchema = z
  .object({
    text: z.string().trim().min(1).max(1000),
    /** `cmn` (Mandarin) or `en`; when absent, Mandarin if the text has any Han character. */
    language: z.enum(SPEECH_LANGUAGES).optional(),
    /**
     * A stable key the voice is derived from (the Worker passes the character's id and name), so
     * a character always speaks with the same voice. Absent: the narrator.
     */
    voice_key: z.string().min(1).max(200).optional(),
    /** Chooses among the female or male variants when known. */
    gender: z.enum(["female", "male"]).optional(),
    /** An explicit variant (a character's bound `voice_id` on the builtin platform). */
    variant: z.enum(ESPEAK_VARIANTS).optional(),
    /** Rate multiplier on the derived voice (1 = as derived). */
    speed: z.number().min(0.5).max(2).optional(),
    /** espeak-ng's pitch, 0–99 (50 is its default); replaces the derived pitch. */
    pitch: z.number().int().min(0).max(99).optional(),
  })
  .strict();
export type SpeechRequest = z.infer<typeof SpeechRequestSchema>;

/** Headers of the answer beside the WAV body. */
export const SPEECH_HEADERS = {
  /** Seconds of audio, measured with ffprobe on the file answered. */
  duration: "x-sds-audio-duration",
  /** The voice used, as JSON (`EspeakVoice`), so the Worker can record and show it. */
  voice: "x-sds-voice",
} as const;

export const SPEECH_CONTENT_TYPE = "audio/wav";

export interface EspeakVoice {
  language: SpeechLanguage;
  variant: EspeakVariant;
  /** 0–99. */
  pitch: number;
  /** Words per minute. */
  speed: number;
  /** Extra pause between words, in units of 10 ms. */
  wordGap: number;
}

/** The narrator when no key is given: a steady, slightly slow, mid-pitched voice. */
export const NARRATOR_VOICE = { variant: "m3", pitch: 42, speed: 160, wordGap: 1 } as const;

const HAN = /\p{Script=Han}/u;

export function speechLanguage(text: string, explicit?: SpeechLanguage): SpeechLanguage {
  return explicit ?? (HAN.test(text) ? "cmn" : "en");
}

/**
 * FNV-1a, 32 bits. Hand-written because the derivation must be synchronous and identical in the
 * Worker and in Node (WebCrypto digests are async), and a voice is not a secret: spreading keys
 * evenly is all it needs.
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A distinct, stable espeak-ng voice for a key: the variant, pitch, rate and word gap each come
 * from their own bits of the key's hash, so two characters rarely share all four, and the same key
 * always gives the same voice. Explicit `variant`, `speed` and `pitch` override the derived values.
 */
export function deriveEspeakVoice(
  req: Pick<SpeechRequest, "voice_key" | "gender" | "variant" | "speed" | "pitch" | "language"> & {
    text?: string;
  },
): EspeakVoice {
  const language = speechLanguage(req.text ?? "", req.language);
  let base: Omit<EspeakVoice, "language">;
  if (!req.voice_key) {
    base = { ...NARRATOR_VOICE };
  } else {
    const h = fnv1a(req.voice_key);
    const pool: readonly EspeakVariant[] =
      req.gender === "female" ? FEMALE_VARIANTS : req.gender === "male" ? MALE_VARIANTS : ESPEAK_VARIANTS;
    // Steps of 4 are far enough apart to hear; the ranges stay clear of the squeaky and growling
    // ends, and a known register keeps its side of the middle.
    const [low, steps] = req.gender === "female" ? [44, 9] : req.gender === "male" ? [24, 9] : [28, 13];
    base = {
      variant: pool[h % pool.length] as EspeakVariant,
      pitch: low + ((h >>> 8) % steps) * 4,
      // 150..195 wpm in steps of 5.
      speed: 150 + ((h >>> 16) % 10) * 5,
      wordGap: (h >>> 24) % 3,
    };
  }
  return {
    language,
    variant: req.variant ?? base.variant,
    pitch: req.pitch ?? base.pitch,
    speed: Math.round(Math.min(450, Math.max(80, base.speed * (req.speed ?? 1)))),
    wordGap: base.wordGap,
  };
}
