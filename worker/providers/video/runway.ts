import { sdkVideoAdapter } from "../sdk-adapters";
import { RUNWAY_BASE_URL, RunwayVideoModel } from "../vendors/runway";
import { resolutionSize } from "./ark-seedance";

/** Runway `image_to_video` (gen4_turbo and later) on the durable path; see vendors/runway.ts. */
export const runwayVideo = sdkVideoAdapter({
  platform: "runway",
  vendor: "Runway",
  defaultBaseUrl: RUNWAY_BASE_URL,
  build({ credentials, ctx, modelId, request }) {
    return {
      model: new RunwayVideoModel(modelId, ctx, credentials.api_key ?? ""),
      ...(request?.aspectRatio ? { aspectRatio: request.aspectRatio } : {}),
      ...(request?.resolution ? { resolution: resolutionSize(request.resolution) } : {}),
    };
  },
});
