import type {
  JSONValue,
  Experimental_VideoModelV4 as VideoModelV4,
  Experimental_VideoModelV4CallOptions as VideoModelV4CallOptions,
  Experimental_VideoModelV4OperationStartResult as VideoStartResult,
  Experimental_VideoModelV4OperationStatusResult as VideoStatus,
} from "@ai-sdk/provider";
import { z } from "zod";
import { malformed } from "../errors";
import { type CallContext, jsonHeaders } from "../http";
import { sdkVideoAdapter } from "../sdk-adapters";
import { BaseResp, groupQuery, MINIMAX_BASE_URL, minimaxError } from "../vendors/minimax";
import { completed, failed, fileUri, pending, started, startImage } from "./status";

const Created = z.object({ task_id: z.string().nullish(), base_resp: BaseResp.nullish() });
const Query = z.object({
  task_id: z.string().nullish(),
  status: z.string().nullish(),
  file_id: z.string().nullish(),
  base_resp: BaseResp.nullish(),
});
const Retrieved = z.object({
  file: z.object({ download_url: z.string().nullish() }).nullish(),
  base_resp: BaseResp.nullish(),
});

/**
 * MiniMax Hailuo: `POST /v1/video_generation` (`first_frame_image`), `GET
 * /v1/query/video_generation?task_id=` until `Success`, then `GET /v1/files/retrieve?file_id=`
 * for the download URL. Errors arrive in `base_resp` with HTTP 200 (see vendors/minimax.ts).
 */
export class HailuoVideoModel implements VideoModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "minimax.video";
  readonly maxVideosPerCall = 1;

  constructor(
    readonly modelId: string,
    private readonly ctx: CallContext,
    private readonly apiKey: string,
    private readonly groupId?: string,
  ) {}

  private get headers() {
    return jsonHeaders({ authorization: `Bearer ${this.apiKey}` });
  }

  async doStart(options: VideoModelV4CallOptions & { webhookUrl?: string }): Promise<VideoStartResult> {
    const first = startImage(options);
    const height =
      options.resolution
        ?.split("x")
        .map(Number)
        .sort((a, b) => a - b)[0] ?? 768;
    const body = {
      model: this.modelId,
      ...(options.prompt ? { prompt: options.prompt.slice(0, 2000) } : {}),
      ...(first ? { first_frame_image: fileUri(first) } : {}),
      duration: (options.duration ?? 6) > 6 ? 10 : 6,
      resolution: height >= 1080 ? "1080P" : height <= 512 ? "512P" : "768P",
      ...(options.webhookUrl ? { callback_url: options.webhookUrl } : {}),
    };
    const { value } = await this.ctx.json(
      this.ctx.url(`/v1/video_generation${groupQuery(this.groupId)}`),
      { method: "POST", headers: this.headers, body: JSON.stringify(body) },
      Created,
    );
    const failure = minimaxError(value.base_resp, this.ctx.secrets);
    if (failure) throw failure;
    if (!value.task_id) throw malformed("MiniMax", "no task_id");
    return started(this.modelId, { taskId: value.task_id });
  }

  async doStatus(options: { operation: JSONValue }): Promise<VideoStatus> {
    const { taskId } = options.operation as { taskId: string };
    const { value } = await this.ctx.json(
      this.ctx.url(`/v1/query/video_generation?task_id=${encodeURIComponent(taskId)}`),
      { method: "GET", headers: this.headers },
      Query,
    );
    const failure = minimaxError(value.base_resp, this.ctx.secrets);
    if (failure) throw failure;
    if (value.status === "Fail") return failed(this.modelId, "task failed");
    if (value.status !== "Success") return pending(this.modelId);
    if (!value.file_id)
      return failed(this.modelId, "a finished task without a file_id", "malformed_response");
    const { value: file } = await this.ctx.json(
      this.ctx.url(`/v1/files/retrieve?file_id=${encodeURIComponent(value.file_id)}`),
      { method: "GET", headers: this.headers },
      Retrieved,
    );
    const fileFailure = minimaxError(file.base_resp, this.ctx.secrets);
    if (fileFailure) throw fileFailure;
    if (!file.file?.download_url)
      return failed(this.modelId, "no download_url for the file", "malformed_response");
    return completed(this.modelId, file.file.download_url);
  }
}

export const hailuoVideo = sdkVideoAdapter({
  platform: "minimax",
  vendor: "MiniMax",
  defaultBaseUrl: MINIMAX_BASE_URL,
  build({ credentials, ctx, modelId, request }) {
    return {
      model: new HailuoVideoModel(modelId, ctx, credentials.api_key ?? "", credentials.group_id),
      ...(request?.resolution
        ? { resolution: request.resolution === "1080p" ? "1920x1080" : "1366x768" }
        : {}),
    };
  },
});
