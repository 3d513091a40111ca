import { createByteDance } from "@ai-sdk/bytedance";
import { sdkImageAdapter } from "../sdk-adapters";

export const ARK_BASE_URL = "https://ark.cn-beijing.volces.com/api/v3";

/**
 * Seedream on Volcengine Ark (`POST /api/v3/images/generations`), the official API of the
 * Dreamina/Jimeng image models, through `@ai-sdk/bytedance`: reference images go out as
 * `image: [data URIs]`. Seedream has a floor on the pixel count (4.0: 1280×720; 4.5 and 5.0:
 * 2560×1440), so the shot's shape is kept and scaled up to it. The "AI generated" watermark Ark
 * adds by default is turned off: the studio labels its own output.
 */
export function seedreamImage(platform: "ark" | "dreamina") {
  return sdkImageAdapter({
    platform,
    vendor: platform === "dreamina" ? "Dreamina (Seedream on Ark)" : "Volcengine Ark",
    defaultBaseUrl: ARK_BASE_URL,
    acceptsReferences: true,
    build({ credentials, ctx, request }) {
      const ark = createByteDance({
        apiKey: credentials.api_key ?? "",
        baseURL: ctx.url(""),
        fetch: ctx.fetch,
      });
      return {
        model: ark.image(request.model),
        size: scaleToPixels(request.width, request.height, minPixels(request.model)),
        providerOptions: { bytedance: { watermark: false } },
      };
    },
  });
}

function minPixels(model: string): number {
  return /seedream-(4-5|5-0)/.test(model) ? 2560 * 1440 : 1280 * 720;
}

/** width×height scaled (never down) to at least `min` pixels, each side a multiple of 16. */
export function scaleToPixels(width: number, height: number, min: number): { width: number; height: number } {
  const scale = Math.max(1, Math.sqrt(min / (width * height)));
  const round = (v: number) => Math.ceil((v * scale) / 16) * 16;
  return { width: round(width), height: round(height) };
}
