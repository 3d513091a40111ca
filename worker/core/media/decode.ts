import WEBP_DECODER from "@jsquash/webp/codec/dec/webp_dec.wasm";
import decodeWebp, { init as initWebp } from "@jsquash/webp/decode";
import jpeg from "jpeg-js";
import { type ImageType, readImageHeader } from "../../../contracts/image-header";
import { AppError } from "../../platform/errors";
import { decodePng, type Rgba } from "./png";

/**
 * Images users upload are bounded before anything decodes them: at most 4096 px a side
 * and 16 megapixels, read from the header. Decoded they are then at most 64 MiB of RGBA, which a
 * Worker can hold.
 */
export const MAX_SIDE = 4096;
export const MAX_PIXELS = 16_000_000;

let webpReady: Promise<void> | null = null;

export interface InspectedImage {
  type: ImageType;
  contentType: string;
  width: number;
  height: number;
}

/** Type and dimensions from the header, refusing anything else before a byte is decoded. */
export function inspectImage(bytes: Uint8Array): InspectedImage {
  const header = readImageHeader(bytes.subarray(0, Math.min(bytes.length, 65536)));
  if (!header) throw new AppError("UNSUPPORTED_MEDIA_TYPE", "The file is not a PNG, JPEG or WebP image");
  if (header.width > MAX_SIDE || header.height > MAX_SIDE || header.width * header.height > MAX_PIXELS) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `The image is ${header.width}×${header.height}; at most ${MAX_SIDE} px a side and ${MAX_PIXELS / 1_000_000} megapixels`,
    );
  }
  return header;
}

/** Decodes to 8-bit RGBA. A file whose header was fine but whose data is damaged is a 422. */
export async function decodeImage(bytes: Uint8Array, type: ImageType): Promise<Rgba> {
  try {
    if (type === "png") return await decodePng(bytes);
    if (type === "jpeg") {
      const img = jpeg.decode(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: 17,
        maxMemoryUsageInMB: 200,
      });
      return { width: img.width, height: img.height, data: img.data };
    }
    webpReady ??= initWebp(WEBP_DECODER);
    await webpReady;
    const img = await decodeWebp(bytes.slice().buffer);
    return {
      width: img.width,
      height: img.height,
      data: new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength),
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError(
      "VALIDATION_ERROR",
      "The image could not be decoded: the file is damaged or truncated",
      {
        fieldErrors: [{ field: "body.image", message: "damaged or truncated image data" }],
      },
    );
  }
}
