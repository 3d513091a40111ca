import { createAlibaba } from "@ai-sdk/alibaba";
import { sdkVideoAdapter } from "../sdk-adapters";
import { DASHSCOPE_BASE_URL } from "../tts/dashscope";

/**
 * Wan image-to-video on DashScope through `@ai-sdk/alibaba`, whose video model already has the
 * asynchronous `doStart` (`POST /api/v1/services/aigc/video-generation/video-synthesis` with
 * `X-DashScope-Async: enable`) and `doStatus` (`GET /api/v1/tasks/{task_id}`).
 */
export const wanVideo = sdkVideoAdapter({
  platform: "dashscope",
  vendor: "DashScope",
  defaultBaseUrl: DASHSCOPE_BASE_URL,
  build({ credentials, ctx, modelId, request }) {
    const alibaba = createAlibaba({
      apiKey: credentials.api_key ?? "",
      videoBaseURL: ctx.url(""),
      fetch: ctx.fetch,
    });
    return {
      model: alibaba.video(modelId),
      ...(request?.resolution
        ? {
            resolution:
              request.resolution === "1080p"
                ? "1920x1080"
                : request.resolution === "480p"
                  ? "832x480"
                  : "1280x720",
          }
        : {}),
    };
  },
});
