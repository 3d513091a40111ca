import type {
  Experimental_VideoModelV4CallOptions as VideoModelV4CallOptions,
  Experimental_VideoModelV4File as VideoModelV4File,
  Experimental_VideoModelV4OperationStatusResult as VideoStatus,
} from "@ai-sdk/provider";
import { toBase64 } from "../../../contracts/crypto";
import type { ProviderErrorCode } from "../errors";

/** Small builders for the SDK's status union, shared by the hand-written video models. */
const response = (modelId: string) => ({ timestamp: new Date(), modelId, headers: undefined });

export const pending = (modelId: string): VideoStatus => ({ status: "pending", response: response(modelId) });

export const completed = (
  modelId: string,
  url: string,
  meta: Record<string, number | string> = {},
): VideoStatus => ({
  status: "completed",
  videos: [{ type: "url", url, mediaType: "video/mp4" }],
  warnings: [],
  response: response(modelId),
  providerMetadata: { video: meta },
});

export const failed = (
  modelId: string,
  error: string,
  errorCode: ProviderErrorCode = "refused",
): VideoStatus => ({
  status: "error",
  error,
  response: response(modelId),
  providerMetadata: { video: { errorCode } },
});

export const started = (modelId: string, operation: Record<string, string>) => ({
  operation,
  warnings: [],
  response: response(modelId),
});

/** The start image of a call: the first_frame frame image, else the plain image. */
export function startImage(options: VideoModelV4CallOptions): VideoModelV4File | undefined {
  return options.frameImages?.find((f) => f.frameType === "first_frame")?.image ?? options.image;
}

/** A frame image as the URL a vendor fetches, or a data URI for bytes. */
export function fileUri(file: VideoModelV4File): string {
  if (file.type === "url") return file.url;
  if (typeof file.data === "string") {
    return file.data.startsWith("data:") ? file.data : `data:${file.mediaType};base64,${file.data}`;
  }
  return `data:${file.mediaType};base64,${toBase64(file.data)}`;
}
