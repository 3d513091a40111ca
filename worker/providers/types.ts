import type { z } from "zod";
import type { ProviderError, SerializedProviderError } from "./errors";

/**
 * The provider layer's contract with the core. An adapter takes a request, the decrypted
 * credentials of a leased platform account and its dependencies, and answers with typed data or
 * a ProviderError. It never touches D1, R2, quotas or prices: the core records a job before
 * `start`, stores `jobId` when the call is pending and calls `poll` (from any invocation, after
 * any restart) until it is done.
 */
export type ProviderKind = "llm" | "image" | "tts" | "video";

export const PROVIDER_KINDS: readonly ProviderKind[] = ["llm", "image", "tts", "video"];

/** Decrypted platform-account credentials (the automation API stores strings). */
export type Credentials = Record<string, string>;

/** The part of the Workers AI binding the adapters use; the real `env.AI` satisfies it. */
export interface AiBinding {
  run(model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
}

export interface ProviderDeps {
  /** Outbound HTTP; every request goes through the SSRF guard and the byte cap on top of it. */
  fetch: typeof fetch;
  /** Cancels the call (a Worker about to stop, a cancelled workflow). */
  signal?: AbortSignal;
  /** Milliseconds since the epoch; injected so tests and JWT expiry do not depend on the clock. */
  now?: () => number;
  /** Per-request timeout; the default depends on the kind (see DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Largest answer body accepted, in bytes; defaults per kind (see DEFAULT_MAX_BYTES). */
  maxBytes?: number;
  /** The Workers AI binding, for the `workers_ai` platform. */
  ai?: AiBinding;
  /**
   * Lets a base_url point at a private host. Only local development and tests set it (an
   * OpenAI-compatible server on localhost); deployed Workers never do.
   */
  allowPrivateBaseUrls?: boolean;
}

export const DEFAULT_TIMEOUT_MS: Record<ProviderKind, number> = {
  llm: 120_000,
  image: 120_000,
  tts: 60_000,
  video: 30_000,
};

/** 16 MiB images (the upload rule allows 16 MP), 32 MiB audio, 200 MiB video (it is streamed). */
export const DEFAULT_MAX_BYTES: Record<ProviderKind, number> = {
  llm: 4 * 1024 * 1024,
  image: 16 * 1024 * 1024,
  tts: 32 * 1024 * 1024,
  video: 200 * 1024 * 1024,
};

/** A generated file: either bytes already verified by the adapter, or a URL the core copies. */
export type MediaOutput =
  | { type: "bytes"; bytes: Uint8Array; mediaType: string }
  | { type: "url"; url: string; mediaType?: string };

/** An input image (a character reference, a first frame): bytes from R2 or a signed URL. */
export type ImageInput = { bytes: Uint8Array; mediaType: string } | { url: string; mediaType?: string };

// ---- requests and results per kind ---------------------------------------------------------

export interface LlmRequest<T = unknown> {
  model: string;
  system?: string;
  prompt: string;
  /** The answer must validate against this schema; the model only ever returns data. */
  schema: z.ZodType<T>;
  schemaName?: string;
  schemaDescription?: string;
  temperature?: number;
  maxOutputTokens?: number;
  /**
   * A repair call: the previous answer and why it was refused. The adapter asks the model once
   * to correct it; whether to repair at all is the core's decision (it is a second paid call).
   */
  repair?: { previousText: string; problem: string };
}

export interface LlmResult<T = unknown> {
  data: T;
  /** The raw text the model returned, for a repair call or an audit. */
  text: string;
  usage: { inputTokens: number | undefined; outputTokens: number | undefined };
  model: string;
}

export interface ImageRequest {
  model: string;
  prompt: string;
  negativePrompt?: string;
  width: number;
  height: number;
  /** Reference images (the characters in the shot); ignored with a warning where unsupported. */
  references?: ImageInput[];
  seed?: number;
}

export interface ImageResult {
  image: MediaOutput;
  /** Verified from the bytes when `image.type === "bytes"`, else what the vendor reported. */
  width: number | undefined;
  height: number | undefined;
  byteLength: number | undefined;
  model: string;
  warnings: string[];
}

export interface TtsRequest {
  model: string;
  text: string;
  voice: string;
  /** 1 is normal speed. */
  speed?: number;
  /** Semitones, where the vendor supports it. */
  pitch?: number;
  emotion?: string;
  /** BCP-47-ish language hint: `zh`, `en`, ... */
  language?: string;
  format?: "mp3" | "wav";
}

/** A spoken unit (a character or a word) and when it starts and ends in the audio. */
export interface TtsTiming {
  text: string;
  startMs: number;
  endMs: number;
}

export interface TtsResult {
  audio: MediaOutput;
  /** Measured or vendor-reported; the renderer still ffprobes it. */
  durationMs: number | undefined;
  timings: TtsTiming[] | undefined;
  characters: number;
  model: string;
  warnings: string[];
}

export interface VideoRequest {
  model: string;
  prompt: string;
  /** The storyboard image the clip starts from (image-to-video). */
  firstFrame: ImageInput;
  /** Extra references (characters) for vendors that take them. */
  references?: ImageInput[];
  durationSeconds: number;
  aspectRatio?: "16:9" | "9:16" | "1:1" | "4:3" | "3:4";
  resolution?: "480p" | "720p" | "1080p";
  /** Provider-native audio; off unless asked (the voice step's lines are the soundtrack). */
  generateAudio?: boolean;
  seed?: number;
  /** Where the vendor should call back when the task ends, for vendors that support it. */
  callbackUrl?: string;
}

export interface VideoResult {
  video: MediaOutput;
  durationSeconds: number | undefined;
  model: string;
  warnings: string[];
}

export interface RequestOf {
  llm: LlmRequest;
  image: ImageRequest;
  tts: TtsRequest;
  video: VideoRequest;
}

export interface ResultOf {
  llm: LlmResult;
  image: ImageResult;
  tts: TtsResult;
  video: VideoResult;
}

// ---- the durable call shape ------------------------------------------------------------------

export type StartResult<T> =
  | { state: "done"; result: T }
  /** `jobId` is opaque, JSON-safe, credential-free text: store it and pass it to `poll`. */
  | { state: "pending"; jobId: string; pollAfterMs: number };

export type PollResult<T> =
  | { state: "pending"; pollAfterMs: number }
  | { state: "done"; result: T }
  /** The vendor reports the task itself failed (as opposed to a failed poll, which throws). */
  | { state: "failed"; error: SerializedProviderError };

export interface Adapter<K extends ProviderKind = ProviderKind> {
  readonly platform: string;
  readonly kind: K;
  /** Whether `start` may answer pending (then `poll` exists). */
  readonly async: boolean;
  start(
    request: RequestOf[K],
    credentials: Credentials,
    deps: ProviderDeps,
  ): Promise<StartResult<ResultOf[K]>>;
  poll?(jobId: string, credentials: Credentials, deps: ProviderDeps): Promise<PollResult<ResultOf[K]>>;
  /**
   * Reads a vendor's completion callback (the body it POSTed to `callbackUrl`) into the same
   * answer as a poll. The core authenticates the callback (a signed URL) before calling this,
   * and may still poll to confirm, since a callback body is only as trustworthy as its sender.
   */
  acceptCallback?(body: unknown): PollResult<ResultOf[K]> | null;
}

export type LlmAdapter = Adapter<"llm">;
export type ImageAdapter = Adapter<"image">;
export type TtsAdapter = Adapter<"tts">;
export type VideoAdapter = Adapter<"video">;

export type { ProviderError };
