import type {
  JSONValue,
  Experimental_VideoModelV4 as VideoModelV4,
  Experimental_VideoModelV4CallOptions as VideoModelV4CallOptions,
  Experimental_VideoModelV4OperationStartResult as VideoStartResult,
  Experimental_VideoModelV4OperationStatusResult as VideoStatus,
} from "@ai-sdk/provider";
import { z } from "zod";
import { ProviderError } from "../errors";
import { type CallContext, jsonHeaders } from "../http";
import { sdkVideoAdapter } from "../sdk-adapters";
import { completed, failed, fileUri, pending, started, startImage } from "./status";

export const VIDU_BASE_URL = "https://api.vidu.com";

const Created = z.object({ task_id: z.string().min(1), state: z.string().nullish() });
const Creations = z.object({
  id: z.string().nullish(),
  state: z.enum(["created", "queueing", "processing", "success", "failed"]),
  err_code: z.string().nullish(),
  creations: z.array(z.object({ url: z.string() })).nullish(),
});

/**
 * Vidu `POST /ent/v2/img2video` (`images: [first frame]`) and `GET
 * /ent/v2/tasks/{id}/creations`, with `Authorization: Token {key}`. Background music is
 * requested off (`bgm: false`): the voice step's lines are the soundtrack.
 */
export class ViduVideoModel implements VideoModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "vidu.video";
  readonly maxVideosPerCall = 1;

  constructor(
    readonly modelId: string,
    private readonly ctx: CallContext,
    private readonly apiKey: string,
  ) {}

  private get headers() {
    return jsonHeaders({ authorization: `Token ${this.apiKey}` });
  }

  async doStart(options: VideoModelV4CallOptions & { webhookUrl?: string }): Promise<VideoStartResult> {
    const first = startImage(options);
    if (!first) throw new ProviderError("refused", "Vidu img2video needs a first frame");
    const height =
      options.resolution
        ?.split("x")
        .map(Number)
        .sort((a, b) => a - b)[0] ?? 720;
    const body = {
      model: this.modelId,
      images: [fileUri(first)],
      ...(options.prompt ? { prompt: options.prompt.slice(0, 1500) } : {}),
      duration: Math.round(options.duration ?? 4),
      resolution: height >= 1080 ? "1080p" : height <= 360 ? "360p" : "720p",
      movement_amplitude: "auto",
      bgm: false,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.webhookUrl ? { callback_url: options.webhookUrl } : {}),
    };
    const { value } = await this.ctx.json(
      this.ctx.url("/ent/v2/img2video"),
      { method: "POST", headers: this.headers, body: JSON.stringify(body) },
      Created,
    );
    if (value.state === "failed") throw new ProviderError("refused", "Vidu refused the task at submission");
    return started(this.modelId, { taskId: value.task_id });
  }

  async doStatus(options: { operation: JSONValue }): Promise<VideoStatus> {
    const { taskId } = options.operation as { taskId: string };
    const { value } = await this.ctx.json(
      this.ctx.url(`/ent/v2/tasks/${encodeURIComponent(taskId)}/creations`),
      { method: "GET", headers: this.headers },
      Creations,
    );
    return viduStatus(this.modelId, value);
  }
}

export function viduStatus(modelId: string, value: z.infer<typeof Creations>): VideoStatus {
  if (value.state === "success") {
    const url = value.creations?.[0]?.url;
    return url
      ? completed(modelId, url)
      : failed(modelId, "a finished task without a creation", "malformed_response");
  }
  if (value.state === "failed") {
    const code = value.err_code ?? "";
    return failed(
      modelId,
      `task failed${code ? ` (${code})` : ""}`,
      /Internal|Timeout/i.test(code) ? "provider_unavailable" : "refused",
    );
  }
  return pending(modelId);
}

export const viduVideo = sdkVideoAdapter({
  platform: "vidu",
  vendor: "Vidu",
  defaultBaseUrl: VIDU_BASE_URL,
  build({ credentials, ctx, modelId, request }) {
    return {
      model: new ViduVideoModel(modelId, ctx, credentials.api_key ?? ""),
      ...(request?.resolution
        ? { resolution: request.resolution === "1080p" ? "1920x1080" : "1280x720" }
        : {}),
    };
  },
  readCallback: (body) => {
    const parsed = Creations.safeParse(body);
    return parsed.success ? viduStatus("", parsed.data) : null;
  },
});
