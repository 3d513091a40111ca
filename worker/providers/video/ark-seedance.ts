import type {
  JSONValue,
  Experimental_VideoModelV4 as VideoModelV4,
  Experimental_VideoModelV4CallOptions as VideoModelV4CallOptions,
  Experimental_VideoModelV4OperationStartResult as VideoStartResult,
  Experimental_VideoModelV4OperationStatusResult as VideoStatus,
} from "@ai-sdk/provider";
import { z } from "zod";
import { type CallContext, jsonHeaders } from "../http";
import { ARK_BASE_URL } from "../image/ark-seedream";
import { sdkVideoAdapter } from "../sdk-adapters";
import { completed, failed, fileUri, pending, started, startImage } from "./status";

const Created = z.object({ id: z.string().min(1) });
const Task = z.object({
  id: z.string(),
  model: z.string().nullish(),
  status: z.enum(["queued", "running", "succeeded", "failed", "cancelled", "expired"]),
  content: z.object({ video_url: z.string().nullish() }).nullish(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
  duration: z.number().nullish(),
});

const RESOLUTIONS: Record<string, string> = { "480": "480p", "720": "720p", "1080": "1080p" };

/**
 * Seedance on Volcengine Ark: `POST /api/v3/contents/generations/tasks` with `content` = the
 * prompt text and the storyboard image as `image_url` with `role: "first_frame"`, then
 * `GET .../tasks/{id}` until `succeeded` (`content.video_url`). `@ai-sdk/bytedance` has a
 * Seedance model, but only a blocking `doGenerate` that polls inside one call, which cannot
 * survive a Worker restart; this one has `doStart` / `doStatus`. Audio is requested off unless
 * asked (`generate_audio`, Seedance 1.5), and the watermark is off.
 */
export class SeedanceVideoModel implements VideoModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "ark.video";
  readonly maxVideosPerCall = 1;

  constructor(
    readonly modelId: string,
    private readonly ctx: CallContext,
    private readonly apiKey: string,
  ) {}

  async doStart(options: VideoModelV4CallOptions & { webhookUrl?: string }): Promise<VideoStartResult> {
    const first = startImage(options);
    const content: Array<Record<string, unknown>> = [];
    if (options.prompt) content.push({ type: "text", text: options.prompt });
    if (first) content.push({ type: "image_url", image_url: { url: fileUri(first) }, role: "first_frame" });
    const height = options.resolution
      ?.split("x")
      .map(Number)
      .sort((a, b) => a - b)[0];
    const body = {
      model: this.modelId,
      content,
      ...(options.aspectRatio ? { ratio: options.aspectRatio } : {}),
      ...(options.duration ? { duration: Math.round(options.duration) } : {}),
      ...(height && RESOLUTIONS[String(height)] ? { resolution: RESOLUTIONS[String(height)] } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.generateAudio !== undefined ? { generate_audio: options.generateAudio } : {}),
      watermark: false,
      ...(options.webhookUrl ? { callback_url: options.webhookUrl } : {}),
    };
    const { value } = await this.ctx.json(
      this.ctx.url("/contents/generations/tasks"),
      {
        method: "POST",
        headers: jsonHeaders({ authorization: `Bearer ${this.apiKey}` }),
        body: JSON.stringify(body),
      },
      Created,
    );
    return started(this.modelId, { taskId: value.id });
  }

  async doStatus(options: { operation: JSONValue }): Promise<VideoStatus> {
    const { taskId } = options.operation as { taskId: string };
    const { value } = await this.ctx.json(
      this.ctx.url(`/contents/generations/tasks/${encodeURIComponent(taskId)}`),
      { method: "GET", headers: jsonHeaders({ authorization: `Bearer ${this.apiKey}` }) },
      Task,
    );
    return seedanceStatus(this.modelId, value);
  }
}

export function seedanceStatus(modelId: string, task: z.infer<typeof Task>): VideoStatus {
  if (task.status === "succeeded") {
    if (!task.content?.video_url)
      return failed(modelId, "a finished task without a video URL", "malformed_response");
    return completed(
      modelId,
      task.content.video_url,
      task.duration ? { durationSeconds: task.duration } : {},
    );
  }
  if (task.status === "failed" || task.status === "cancelled" || task.status === "expired") {
    const code = task.error?.code ?? "";
    const reason = `task ${task.status}: ${task.error?.message ?? "no reason given"}${code ? ` (${code})` : ""}`;
    return failed(
      modelId,
      reason,
      /InternalServiceError|ServerOverloaded/i.test(code) ? "provider_unavailable" : "refused",
    );
  }
  return pending(modelId);
}

export function seedanceVideo(platform: "ark" | "dreamina") {
  return sdkVideoAdapter({
    platform,
    vendor: platform === "dreamina" ? "Dreamina (Seedance on Ark)" : "Volcengine Ark",
    defaultBaseUrl: ARK_BASE_URL,
    build({ credentials, ctx, modelId, request }) {
      return {
        model: new SeedanceVideoModel(modelId, ctx, credentials.api_key ?? ""),
        aspectRatio: request?.aspectRatio ?? "adaptive",
        ...(request?.resolution ? { resolution: resolutionSize(request.resolution) } : {}),
      };
    },
    // Ark posts the task object itself to callback_url when the status changes.
    readCallback: (body) => {
      const parsed = Task.safeParse(body);
      return parsed.success ? seedanceStatus(parsed.data.model ?? "", parsed.data) : null;
    },
  });
}

export function resolutionSize(resolution: "480p" | "720p" | "1080p"): `${number}x${number}` {
  return resolution === "480p" ? "854x480" : resolution === "1080p" ? "1920x1080" : "1280x720";
}
