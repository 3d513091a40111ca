import type {
  JSONValue,
  Experimental_VideoModelV4 as VideoModelV4,
  Experimental_VideoModelV4CallOptions as VideoModelV4CallOptions,
  Experimental_VideoModelV4OperationStartResult as VideoStartResult,
  Experimental_VideoModelV4OperationStatusResult as VideoStatusResult,
} from "@ai-sdk/provider";
import { z } from "zod";
import { toBase64 } from "../../../contracts/crypto";
import type { SerializedProviderError } from "../errors";
import { type CallContext, jsonHeaders } from "../http";
import { nearestRatio } from "../media";

/**
 * Runway's API (docs.dev.runwayml.com/api): every generation is a task. `POST /v1/text_to_image`
 * or `/v1/image_to_video` answers `{id}`; `GET /v1/tasks/{id}` reports PENDING, THROTTLED,
 * RUNNING, SUCCEEDED (with `output: [url]`) or FAILED (with `failure` and `failureCode`).
 * Authorization is a Bearer key plus the pinned `X-Runway-Version`. No maintained AI SDK provider
 * exists, so the models below are written by hand in the SDK's interfaces.
 */
export const RUNWAY_BASE_URL = "https://api.dev.runwayml.com";
export const RUNWAY_VERSION = "2024-11-06";

export const RUNWAY_IMAGE_RATIOS = [
  "1920:1080",
  "1080:1920",
  "1024:1024",
  "1360:768",
  "1080:1080",
  "1168:880",
  "1440:1080",
  "1080:1440",
  "1808:768",
  "2112:912",
  "1280:720",
  "720:1280",
  "720:720",
  "960:720",
  "720:960",
  "1680:720",
] as const;

export const RUNWAY_VIDEO_RATIOS = [
  "1280:720",
  "720:1280",
  "1104:832",
  "832:1104",
  "960:960",
  "1584:672",
] as const;

const TaskCreated = z.object({ id: z.string().min(1) });
const Task = z.object({
  id: z.string(),
  status: z.enum(["PENDING", "THROTTLED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]),
  output: z.array(z.string()).nullish(),
  failure: z.string().nullish(),
  failureCode: z.string().nullish(),
  progress: z.number().nullish(),
});
export type RunwayTask = z.infer<typeof Task>;

const headers = (apiKey: string) =>
  jsonHeaders({ authorization: `Bearer ${apiKey}`, "x-runway-version": RUNWAY_VERSION });

export async function startRunwayTask(
  ctx: CallContext,
  apiKey: string,
  path: "/v1/text_to_image" | "/v1/image_to_video",
  body: Record<string, unknown>,
): Promise<string> {
  const { value } = await ctx.json(
    ctx.url(path),
    { method: "POST", headers: headers(apiKey), body: JSON.stringify(body) },
    TaskCreated,
  );
  return value.id;
}

export async function getRunwayTask(ctx: CallContext, apiKey: string, id: string): Promise<RunwayTask> {
  const { value } = await ctx.json(
    ctx.url(`/v1/tasks/${encodeURIComponent(id)}`),
    { method: "GET", headers: headers(apiKey) },
    Task,
  );
  return value;
}

/** A failed task as our error: content-policy and input failures are refusals, the rest outages. */
export function runwayFailure(task: RunwayTask): SerializedProviderError {
  const code = task.failureCode ?? "";
  const refused = /^(SAFETY|INPUT|ASSET)/.test(code) || task.status === "CANCELLED";
  return {
    code: refused ? "refused" : "provider_unavailable",
    message: `Runway task ${task.status.toLowerCase()}: ${task.failure ?? "no reason given"}${code ? ` (${code})` : ""}`,
  };
}

export function imageToUri(data: string | Uint8Array, mediaType: string): string {
  return typeof data === "string" && /^(https?:|data:)/.test(data)
    ? data
    : `data:${mediaType};base64,${typeof data === "string" ? data : toBase64(data)}`;
}

export function textToImageBody(
  model: string,
  prompt: string,
  width: number,
  height: number,
  references: string[],
  seed?: number,
): Record<string, unknown> {
  return {
    model,
    promptText: prompt.slice(0, 1000),
    ratio: nearestRatio(width, height, RUNWAY_IMAGE_RATIOS),
    ...(references.length
      ? { referenceImages: references.slice(0, 3).map((uri, i) => ({ uri, tag: `ref${i + 1}` })) }
      : {}),
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** Runway image-to-video as a `VideoModelV4` with the SDK's asynchronous `doStart` / `doStatus`. */
export class RunwayVideoModel implements VideoModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "runway.video";
  readonly maxVideosPerCall = 1;

  constructor(
    readonly modelId: string,
    private readonly ctx: CallContext,
    private readonly apiKey: string,
  ) {}

  async doStart(options: VideoModelV4CallOptions): Promise<VideoStartResult> {
    const first = options.frameImages?.find((f) => f.frameType === "first_frame")?.image ?? options.image;
    if (!first) throw new Error("Runway image_to_video needs a first frame");
    const uri = first.type === "url" ? first.url : imageToUri(first.data, first.mediaType);
    const [w, h] = (options.resolution ?? "1280x720").split("x").map(Number) as [number, number];
    const ratio =
      options.aspectRatio && options.aspectRatio !== "adaptive"
        ? nearestRatio(
            ...(options.aspectRatio.split(":").map(Number) as [number, number]),
            RUNWAY_VIDEO_RATIOS,
          )
        : nearestRatio(w, h, RUNWAY_VIDEO_RATIOS);
    const id = await startRunwayTask(this.ctx, this.apiKey, "/v1/image_to_video", {
      model: this.modelId,
      promptImage: [{ uri, position: "first" }],
      ...(options.prompt ? { promptText: options.prompt.slice(0, 1000) } : {}),
      ratio,
      duration: (options.duration ?? 5) > 5 ? 10 : 5,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
    return {
      operation: { taskId: id },
      warnings: [],
      response: { timestamp: new Date(), modelId: this.modelId, headers: undefined },
    };
  }

  async doStatus(options: { operation: JSONValue }): Promise<VideoStatusResult> {
    const { taskId } = options.operation as { taskId: string };
    const task = await getRunwayTask(this.ctx, this.apiKey, taskId);
    const response = { timestamp: new Date(), modelId: this.modelId, headers: undefined };
    if (task.status === "SUCCEEDED") {
      const url = task.output?.[0];
      if (!url) return { status: "error", error: "a finished task without output", response };
      return {
        status: "completed",
        videos: [{ type: "url", url, mediaType: "video/mp4" }],
        warnings: [],
        response,
      };
    }
    if (task.status === "FAILED" || task.status === "CANCELLED") {
      const failure = runwayFailure(task);
      return {
        status: "error",
        error: failure.message,
        response,
        providerMetadata: { runway: { errorCode: failure.code } },
      };
    }
    return { status: "pending", response };
  }
}
