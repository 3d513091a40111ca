import { createOpenAI } from "@ai-sdk/openai";
import { nearestRatio } from "../media";
import { sdkImageAdapter } from "../sdk-adapters";

/** gpt-image sizes; the shot's aspect ratio is mapped to the nearest one. */
const SIZES = ["1024x1024", "1536x1024", "1024x1536"] as const;

/**
 * OpenAI Images (`gpt-image-1` and later) through `@ai-sdk/openai`. With reference images the SDK
 * sends them to `POST /images/edits` (multipart `image[]`), which is how gpt-image composes a shot
 * from the characters' portraits; without, `POST /images/generations`.
 */
export const openAiImage = sdkImageAdapter({
  platform: "openai",
  vendor: "OpenAI",
  acceptsReferences: true,
  build({ credentials, ctx, request }) {
    const openai = createOpenAI({
      apiKey: credentials.api_key ?? "",
      ...(credentials.base_url ? { baseURL: credentials.base_url } : {}),
      ...(credentials.organization ? { organization: credentials.organization } : {}),
      fetch: ctx.fetch,
    });
    const [width, height] = nearestRatio(request.width, request.height, SIZES).split("x").map(Number) as [
      number,
      number,
    ];
    return { model: openai.image(request.model), size: { width, height } };
  },
});
