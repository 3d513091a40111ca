import { createFal } from "@ai-sdk/fal";
import { sdkImageAdapter } from "../sdk-adapters";

/**
 * FLUX on fal through `@ai-sdk/fal` (`POST https://fal.run/{model}`, `Authorization: Key ...`).
 * FLUX.2 takes references on its `/edit` endpoints as `image_urls`, so a request with references
 * goes to the edit variant of the chosen model; fal answers with image URLs, which the SDK
 * downloads through the same guarded fetch.
 */
const EDIT_VARIANTS: Record<string, string> = {
  "fal-ai/flux-2": "fal-ai/flux-2/edit",
  "fal-ai/flux-2-pro": "fal-ai/flux-2-pro/edit",
  "fal-ai/flux-2-flex": "fal-ai/flux-2-flex/edit",
};

export const falImage = sdkImageAdapter({
  platform: "fal",
  vendor: "fal",
  acceptsReferences: true,
  build({ credentials, ctx, request }) {
    const fal = createFal({ apiKey: credentials.api_key ?? "", fetch: ctx.fetch });
    const withRefs = (request.references?.length ?? 0) > 0;
    const model = withRefs ? (EDIT_VARIANTS[request.model] ?? request.model) : request.model;
    return {
      model: fal.image(model),
      size: { width: request.width, height: request.height },
      providerOptions: { fal: { useMultipleImages: true, enableSafetyChecker: true } },
    };
  },
});
