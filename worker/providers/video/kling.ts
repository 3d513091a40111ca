import type {
  JSONValue,
  Experimental_VideoModelV4 as VideoModelV4,
  Experimental_VideoModelV4CallOptions as VideoModelV4CallOptions,
  Experimental_VideoModelV4OperationStartResult as VideoStartResult,
  Experimental_VideoModelV4OperationStatusResult as VideoStatus,
} from "@ai-sdk/provider";
import { SignJWT } from "jose";
import { z } from "zod";
import { toBase64 } from "../../../contracts/crypto";
import { clip, ProviderError, type ProviderErrorCode, redact } from "../errors";
import { type CallContext, jsonHeaders } from "../http";
import { sdkVideoAdapter } from "../sdk-adapters";
import { completed, failed, pending, started, startImage } from "./status";

export const KLING_BASE_URL = "https://api-singapore.klingai.com";

const TaskData = z.object({
  task_id: z.string(),
  task_status: z.enum(["submitted", "processing", "succeed", "failed"]),
  task_status_msg: z.string().nullish(),
  task_result: z
    .object({
      videos: z.array(z.object({ url: z.string(), duration: z.union([z.string(), z.number()]).nullish() })),
    })
    .nullish(),
});
const Envelope = <T extends z.ZodType>(data: T) =>
  z.object({ code: z.number(), message: z.string().nullish(), data: data.nullish() });

/**
 * Kling `POST /v1/videos/image2video` and `GET /v1/videos/image2video/{task_id}`. Kling wants a
 * JWT (HS256, `iss` = access key, signed with the secret key, valid 30 minutes, `nbf` 5 s in the
 * past for clock skew) rather than the key itself, so one is minted per call with `jose`. The
 * image goes as a URL, or as bare base64 (Kling refuses the `data:` prefix). No AI SDK provider.
 */
export class KlingVideoModel implements VideoModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "kling.video";
  readonly maxVideosPerCall = 1;

  constructor(
    readonly modelId: string,
    private readonly ctx: CallContext,
    private readonly accessKey: string,
    private readonly secretKey: string,
    private readonly mode: "std" | "pro" = "std",
  ) {}

  private async headers(): Promise<Record<string, string>> {
    const now = Math.floor(this.ctx.now() / 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuer(this.accessKey)
      .setNotBefore(now - 5)
      .setExpirationTime(now + 1800)
      .sign(new TextEncoder().encode(this.secretKey));
    return jsonHeaders({ authorization: `Bearer ${token}` });
  }

  async doStart(options: VideoModelV4CallOptions & { webhookUrl?: string }): Promise<VideoStartResult> {
    const first = startImage(options);
    if (!first) throw new ProviderError("refused", "Kling image2video needs a first frame");
    const image =
      first.type === "url"
        ? first.url
        : typeof first.data === "string"
          ? first.data.replace(/^data:[^,]+,/, "")
          : toBase64(first.data);
    const body = {
      model_name: this.modelId,
      image,
      ...(options.prompt ? { prompt: options.prompt.slice(0, 2500) } : {}),
      duration: (options.duration ?? 5) > 5 ? "10" : "5",
      mode: this.mode,
      ...(options.webhookUrl ? { callback_url: options.webhookUrl } : {}),
    };
    const { value } = await this.ctx.json(
      this.ctx.url("/v1/videos/image2video"),
      { method: "POST", headers: await this.headers(), body: JSON.stringify(body) },
      Envelope(TaskData),
    );
    const data = this.unwrap(value);
    return started(this.modelId, { taskId: data.task_id });
  }

  async doStatus(options: { operation: JSONValue }): Promise<VideoStatus> {
    const { taskId } = options.operation as { taskId: string };
    const { value } = await this.ctx.json(
      this.ctx.url(`/v1/videos/image2video/${encodeURIComponent(taskId)}`),
      { method: "GET", headers: await this.headers() },
      Envelope(TaskData),
    );
    return klingStatus(this.modelId, this.unwrap(value));
  }

  private unwrap(value: { code: number; message?: string | null; data?: z.infer<typeof TaskData> | null }) {
    if (value.code !== 0) throw klingError(value.code, value.message ?? "", this.ctx.secrets);
    if (!value.data)
      throw new ProviderError("malformed_response", "Kling answered without a usable result: no data");
    return value.data;
  }
}

/** Kling's business codes (docs: "Error Code"): 1000–1004 auth, 1302/1303 rate, 5000+ server. */
export function klingError(code: number, message: string, secrets: readonly string[]): ProviderError {
  const reason = redact(clip(message || "no reason given"), secrets);
  const kind: ProviderErrorCode =
    code >= 1000 && code <= 1004
      ? "bad_credentials"
      : code === 1302 || code === 1303
        ? "rate_limited"
        : code >= 5000
          ? "provider_unavailable"
          : "refused";
  return new ProviderError(kind, `Kling ${code}: ${reason}`, { vendorReason: reason });
}

export function klingStatus(modelId: string, data: z.infer<typeof TaskData>): VideoStatus {
  if (data.task_status === "succeed") {
    const video = data.task_result?.videos[0];
    if (!video) return failed(modelId, "a finished task without a video", "malformed_response");
    const duration = Number(video.duration);
    return completed(
      modelId,
      video.url,
      Number.isFinite(duration) && duration > 0 ? { durationSeconds: duration } : {},
    );
  }
  if (data.task_status === "failed")
    return failed(modelId, `task failed: ${data.task_status_msg ?? "no reason given"}`);
  return pending(modelId);
}

export const klingVideo = sdkVideoAdapter({
  platform: "kling",
  vendor: "Kling",
  defaultBaseUrl: KLING_BASE_URL,
  build({ credentials, ctx, modelId }) {
    return {
      model: new KlingVideoModel(
        modelId,
        ctx,
        credentials.access_key ?? "",
        credentials.secret_key ?? "",
        credentials.mode === "pro" ? "pro" : "std",
      ),
    };
  },
  // Kling posts the task object (the `data` of a query) to callback_url.
  readCallback: (body) => {
    const parsed = TaskData.safeParse(body);
    return parsed.success ? klingStatus("", parsed.data) : null;
  },
});
