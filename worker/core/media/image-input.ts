import type { AppearanceSignature } from "../../db/schema/studio";
import { AppError } from "../../platform/errors";
import { decodeImage, inspectImage } from "./decode";
import type { Rgba } from "./rgba";
import { signatureOf } from "./signature";

/** Character and storyboard images users upload. */
export const IMAGE_MAX_BYTES = 10 * 1024 * 1024;

export interface ImageInput {
  bytes: Uint8Array;
  contentType: string;
  width: number;
  height: number;
  pixels: Rgba;
  signature: AppearanceSignature;
}

/** Checks, decodes and fingerprints an uploaded image: size, then magic bytes and header, then pixels. */
export async function readImageFile(file: File, maxBytes = IMAGE_MAX_BYTES): Promise<ImageInput> {
  if (file.size > maxBytes) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `The image is ${file.size} bytes; at most ${maxBytes} bytes (10 MiB)`,
    );
  }
  if (file.size === 0) {
    throw new AppError("VALIDATION_ERROR", "The image is empty", {
      fieldErrors: [{ field: "body.image", message: "empty file" }],
    });
  }
  return readImageBytes(new Uint8Array(await file.arrayBuffer()));
}

export async function readImageBytes(bytes: Uint8Array): Promise<ImageInput> {
  const header = inspectImage(bytes);
  const pixels = await decodeImage(bytes, header.type);
  return {
    bytes,
    contentType: header.contentType,
    width: header.width,
    height: header.height,
    pixels,
    signature: signatureOf(pixels),
  };
}

/** Names a signature: it changes whenever the image does. */
export function consistencyModelId(signature: AppearanceSignature): string {
  return `model_${signature.version}_${signature.phash}`;
}
