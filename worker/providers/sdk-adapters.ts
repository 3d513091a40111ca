import type {
  ImageModelV3,
  ImageModelV4,
  JSONValue,
  SharedV4ProviderOptions,
  SpeechModelV4,
  Experimental_VideoModelV4 as VideoModelV4,
  Experimental_VideoModelV4OperationStatusResult as VideoStatus,
} from "@ai-sdk/provider";
import { experimental_getVideoStatus, experimental_startVideo, generateImage, generateSpeech } from "ai";
import { fromBase64 } from "../../contracts/crypto";
import { malformed, PROVIDER_ERROR_CODES, ProviderError, type ProviderErrorCode } from "./errors";
import { type CallContext, callContext } from "./http";
import { verifyAudio, verifyImage, verifyVideo, wavDurationMs } from "./media";
import type {
  Credentials,
  ImageAdapter,
  ImageInput,
  ImageRequest,
  MediaOutput,
  PollResult,
  ProviderDeps,
  TtsAdapter,
  TtsRequest,
  TtsTiming,
  VideoAdapter,
  VideoRequest,
  VideoResult,
} from "./types";

/**
 * Adapters built on the AI SDK's own model interfaces. Every vendor, whether its provider comes
 * from an `@ai-sdk/*` package or is hand-written here, is an `ImageModelV4` / `SpeechModelV4` /
 * `VideoModelV4`; these builders add what the core needs on top: one call, no SDK retries (the
 * core owns backoff), the guarded fetch, verification of what came back, and the durable
 * start/poll split for video (`doStart` / `doStatus`, whose operation becomes our job id).
 */

/** Input images as bytes, downloading signed URLs through the guarded fetch (and checking them). */
export async function imageInputsAsBytes(
  ctx: CallContext,
  inputs: readonly ImageInput[] | undefined,
): Promise<Array<{ bytes: Uint8Array; mediaType: string }>> {
  const out: Array<{ bytes: Uint8Array; mediaType: string }> = [];
  for (const input of inputs ?? []) {
    if ("bytes" in input) {
      out.push({
        bytes: input.bytes,
        mediaType: verifyImage(`${ctx.vendor} (reference)`, input.bytes).mediaType,
      });
      continue;
    }
    const { bytes } = await ctx.bytes(input.url);
    out.push({ bytes, mediaType: verifyImage(`${ctx.vendor} (reference)`, bytes).mediaType });
  }
  return out;
}

// ---- image ------------------------------------------------------------------------------------

export interface ImageCall {
  model: ImageModelV4 | ImageModelV3;
  /** The size actually asked for (vendors have their own size grids); the answer must match its shape. */
  size?: { width: number; height: number };
  aspectRatio?: `${number}:${number}`;
  providerOptions?: SharedV4ProviderOptions;
  warnings?: string[];
}

export function sdkImageAdapter(options: {
  platform: string;
  vendor: string;
  defaultBaseUrl?: string;
  acceptsReferences: boolean;
  build(args: { credentials: Credentials; ctx: CallContext; request: ImageRequest }): ImageCall;
}): ImageAdapter {
  return {
    platform: options.platform,
    kind: "image",
    async: false,
    async start(request, credentials, deps) {
      const ctx = callContext({
        vendor: options.vendor,
        kind: "image",
        credentials,
        deps,
        ...(options.defaultBaseUrl ? { defaultBaseUrl: options.defaultBaseUrl } : {}),
      });
      const warnings: string[] = [];
      let references: Array<{ bytes: Uint8Array; mediaType: string }> = [];
      if (request.references?.length) {
        if (options.acceptsReferences) references = await imageInputsAsBytes(ctx, request.references);
        else
          warnings.push(`${options.vendor} takes no reference images; ${request.references.length} ignored`);
      }
      const call = options.build({ credentials, ctx, request });
      warnings.push(...(call.warnings ?? []));
      const result = await ctx.guard(() =>
        generateImage({
          model: call.model,
          prompt: references.length
            ? { text: request.prompt, images: references.map((r) => r.bytes) }
            : request.prompt,
          ...(call.size ? { size: `${call.size.width}x${call.size.height}` as const } : {}),
          ...(call.aspectRatio ? { aspectRatio: call.aspectRatio } : {}),
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
          ...(call.providerOptions ? { providerOptions: call.providerOptions } : {}),
          maxRetries: 0,
          ...(deps.signal ? { abortSignal: deps.signal } : {}),
        }),
      );
      const bytes = result.image?.uint8Array;
      if (!bytes) throw malformed(options.vendor, "no image in the answer");
      const expect = call.size ?? ratioSize(call.aspectRatio);
      const verified = verifyImage(options.vendor, bytes, expect);
      for (const w of result.warnings) warnings.push(warningText(w));
      return {
        state: "done",
        result: {
          image: { type: "bytes", bytes, mediaType: verified.mediaType },
          width: verified.width,
          height: verified.height,
          byteLength: bytes.byteLength,
          model: request.model,
          warnings,
        },
      };
    },
  };
}

function ratioSize(ratio: string | undefined): { width: number; height: number } | undefined {
  if (!ratio) return undefined;
  const [w, h] = ratio.split(":").map(Number) as [number, number];
  return w > 0 && h > 0 ? { width: w, height: h } : undefined;
}

function warningText(w: unknown): string {
  const o = w as { type?: string; feature?: string; details?: string; message?: string };
  return [o.type, o.feature, o.details ?? o.message].filter(Boolean).join(": ");
}

// ---- speech -----------------------------------------------------------------------------------

export interface SpeechCall {
  model: SpeechModelV4;
  voice?: string;
  speed?: number;
  language?: string;
  instructions?: string;
  outputFormat?: string;
  providerOptions?: SharedV4ProviderOptions;
}

/** Timings a hand-written speech model reports in its provider metadata under `timings`. */
function timingsFrom(metadata: unknown, key: string): TtsTiming[] | undefined {
  const list = (metadata as Record<string, { timings?: unknown }> | undefined)?.[key]?.timings;
  return Array.isArray(list) ? (list as TtsTiming[]) : undefined;
}

function durationFrom(metadata: unknown, key: string): number | undefined {
  const d = (metadata as Record<string, { durationMs?: unknown }> | undefined)?.[key]?.durationMs;
  return typeof d === "number" && Number.isFinite(d) ? d : undefined;
}

export function sdkSpeechAdapter(options: {
  platform: string;
  vendor: string;
  defaultBaseUrl?: string;
  /** The providerMetadata key a hand-written model reports timings and duration under. */
  metadataKey?: string;
  build(args: { credentials: Credentials; ctx: CallContext; request: TtsRequest }): SpeechCall;
}): TtsAdapter {
  return {
    platform: options.platform,
    kind: "tts",
    async: false,
    async start(request, credentials, deps) {
      if (!request.text.trim())
        throw new ProviderError("refused", `${options.vendor}: nothing to say (empty text)`);
      const ctx = callContext({
        vendor: options.vendor,
        kind: "tts",
        credentials,
        deps,
        ...(options.defaultBaseUrl ? { defaultBaseUrl: options.defaultBaseUrl } : {}),
      });
      const call = options.build({ credentials, ctx, request });
      const result = await ctx.guard(() =>
        generateSpeech({
          model: call.model,
          text: request.text,
          ...(call.voice ? { voice: call.voice } : {}),
          ...(call.speed !== undefined ? { speed: call.speed } : {}),
          ...(call.language ? { language: call.language } : {}),
          ...(call.instructions ? { instructions: call.instructions } : {}),
          ...(call.outputFormat ? { outputFormat: call.outputFormat } : {}),
          ...(call.providerOptions ? { providerOptions: call.providerOptions } : {}),
          maxRetries: 0,
          ...(deps.signal ? { abortSignal: deps.signal } : {}),
        }),
      );
      const bytes = result.audio?.uint8Array;
      if (!bytes) throw malformed(options.vendor, "no audio in the answer");
      const mediaType = verifyAudio(options.vendor, bytes);
      const key = options.metadataKey ?? options.platform;
      return {
        state: "done",
        result: {
          audio: { type: "bytes", bytes, mediaType },
          durationMs: durationFrom(result.providerMetadata, key) ?? wavDurationMs(bytes),
          timings: timingsFrom(result.providerMetadata, key),
          characters: [...request.text].length,
          model: request.model,
          warnings: result.warnings.map(warningText),
        },
      };
    },
  };
}

// ---- video ------------------------------------------------------------------------------------

export interface VideoCall {
  model: VideoModelV4;
  aspectRatio?: `${number}:${number}` | "adaptive";
  resolution?: `${number}x${number}`;
  providerOptions?: SharedV4ProviderOptions;
}

const DEFAULT_POLL_MS = 5_000;

/** How to read a vendor's callback body into a status, for vendors that post one. */
export type VideoCallbackReader = (body: unknown) => VideoStatus | null;

/**
 * The durable video adapter: `start` is the SDK's `experimental_startVideo` (the model's
 * `doStart`) and answers pending with the operation as the job id; `poll` is
 * `experimental_getVideoStatus` (`doStatus`) from any invocation, since the job id is all it
 * needs besides the account's credentials.
 */
export function sdkVideoAdapter(options: {
  platform: string;
  vendor: string;
  defaultBaseUrl?: string;
  pollAfterMs?: number;
  /** Builds the model for one call; `request` is absent when polling (the job id names the model). */
  build(args: {
    credentials: Credentials;
    ctx: CallContext;
    modelId: string;
    request?: VideoRequest;
  }): VideoCall;
  readCallback?: VideoCallbackReader;
}): VideoAdapter {
  const context = (credentials: Credentials, deps: ProviderDeps) =>
    callContext({
      vendor: options.vendor,
      kind: "video",
      credentials,
      deps,
      ...(options.defaultBaseUrl ? { defaultBaseUrl: options.defaultBaseUrl } : {}),
    });
  const pollAfterMs = options.pollAfterMs ?? DEFAULT_POLL_MS;
  const toPoll = (status: VideoStatus, model: string): PollResult<VideoResult> => {
    if (status.status === "pending") return { state: "pending", pollAfterMs };
    if (status.status === "error") {
      // Hand-written models say which of our codes a failed task is; anything else is a refusal
      // (the vendor ran the task and declined it: policy, input, balance).
      const reported = Object.values(status.providerMetadata ?? {})
        .map((m) => (m as { errorCode?: unknown } | undefined)?.errorCode)
        .find((c): c is ProviderErrorCode => PROVIDER_ERROR_CODES.includes(c as ProviderErrorCode));
      return {
        state: "failed",
        error: { code: reported ?? "refused", message: `${options.vendor}: ${status.error}` },
      };
    }
    const first = status.videos[0];
    if (!first) throw malformed(options.vendor, "a finished task without a video");
    let video: MediaOutput;
    if (first.type === "url") video = { type: "url", url: first.url, mediaType: first.mediaType };
    else if (first.type === "binary" || first.type === "base64") {
      const bytes = first.type === "binary" ? first.data : fromBase64(first.data);
      video = { type: "bytes", bytes, mediaType: verifyVideo(options.vendor, bytes) };
    } else throw malformed(options.vendor, "a video delivered somewhere we cannot read");
    const meta = Object.values(status.providerMetadata ?? {})[0] as { durationSeconds?: unknown } | undefined;
    return {
      state: "done",
      result: {
        video,
        durationSeconds: typeof meta?.durationSeconds === "number" ? meta.durationSeconds : undefined,
        model,
        warnings: (status.warnings ?? []).map(warningText),
      },
    };
  };
  const adapter: VideoAdapter = {
    platform: options.platform,
    kind: "video",
    async: true,
    async start(request, credentials, deps) {
      const ctx = context(credentials, deps);
      const call = options.build({ credentials, ctx, modelId: request.model, request });
      const first = "url" in request.firstFrame ? request.firstFrame.url : request.firstFrame.bytes;
      const started = await ctx.guard(() =>
        experimental_startVideo({
          model: call.model,
          prompt: request.prompt,
          duration: request.durationSeconds,
          frameImages: [{ image: first, frameType: "first_frame" }],
          ...(call.aspectRatio ? { aspectRatio: call.aspectRatio } : {}),
          ...(call.resolution ? { resolution: call.resolution } : {}),
          ...(request.seed !== undefined ? { seed: request.seed } : {}),
          generateAudio: request.generateAudio === true,
          ...(call.providerOptions ? { providerOptions: call.providerOptions } : {}),
          ...(request.callbackUrl ? { webhookUrl: request.callbackUrl } : {}),
          maxRetries: 0,
          ...(deps.signal ? { abortSignal: deps.signal } : {}),
        }),
      );
      // The SDK does not combine a first frame with reference images, and the image-to-video
      // endpoints of these vendors take one start image; the references already shaped that image.
      void started.warnings;
      return {
        state: "pending",
        jobId: JSON.stringify({ model: request.model, operation: started.operation }),
        pollAfterMs,
      };
    },
    async poll(jobId, credentials, deps) {
      const job = parseJob(options.vendor, jobId);
      const ctx = context(credentials, deps);
      const call = options.build({ credentials, ctx, modelId: job.model });
      const status = await ctx.guard(() =>
        experimental_getVideoStatus(call.model, {
          operation: job.operation,
          maxRetries: 0,
          ...(deps.signal ? { abortSignal: deps.signal } : {}),
        }),
      );
      return toPoll(status, job.model);
    },
  };
  if (options.readCallback) {
    const read = options.readCallback;
    adapter.acceptCallback = (body) => {
      const status = read(body);
      return status ? toPoll(status, "") : null;
    };
  }
  return adapter;
}

function parseJob(vendor: string, jobId: string): { model: string; operation: JSONValue } {
  try {
    const job = JSON.parse(jobId) as { model?: unknown; operation?: unknown };
    if (typeof job.model === "string" && job.operation !== undefined) {
      return { model: job.model, operation: job.operation as JSONValue };
    }
  } catch {
    // fall through
  }
  throw new ProviderError("refused", `${vendor}: not a job id of this adapter`);
}
