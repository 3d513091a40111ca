import { fromBase64, toBase64 } from "../../contracts/crypto";
import { readImageHeader } from "../../contracts/image-header";
import { ascii, sniffAudio, sniffVideo } from "../../contracts/sniff";
import { malformed } from "./errors";
import type { ImageInput } from "./types";

/**
 * What an answer claims to be is checked against its bytes before anything trusts it: an image by
 * its header (type and dimensions, the same limits as uploads), audio and video by their magic
 * bytes. A vendor that answers with a JPEG of the wrong shape, an MP3 that is a JSON error, or a
 * "video" that is a PNG fails the item here, not in the renderer.
 */

/** The upload rule: at most 4096 px a side and 16 megapixels. */
export const MAX_IMAGE_SIDE = 4096;
export const MAX_IMAGE_PIXELS = 16_000_000;
/** Vendors round sizes to multiples of 8, 16 or 64; a larger difference in shape is a wrong answer. */
const ASPECT_TOLERANCE = 0.03;

export interface VerifiedImage {
  mediaType: string;
  width: number;
  height: number;
}

export function verifyImage(
  vendor: string,
  bytes: Uint8Array,
  expect?: { width: number; height: number },
): VerifiedImage {
  if (bytes.byteLength === 0) throw malformed(vendor, "an empty image");
  const header = readImageHeader(bytes);
  if (!header) throw malformed(vendor, "bytes that are not a PNG, JPEG or WebP image");
  if (
    header.width > MAX_IMAGE_SIDE ||
    header.height > MAX_IMAGE_SIDE ||
    header.width * header.height > MAX_IMAGE_PIXELS
  ) {
    throw malformed(vendor, `an oversized image (${header.width}×${header.height})`);
  }
  if (expect) {
    const want = expect.width / expect.height;
    const got = header.width / header.height;
    if (Math.abs(got - want) / want > ASPECT_TOLERANCE) {
      throw malformed(
        vendor,
        `an image of the wrong shape (${header.width}×${header.height}, asked for ${expect.width}×${expect.height})`,
      );
    }
  }
  return { mediaType: header.contentType, width: header.width, height: header.height };
}

export function verifyAudio(vendor: string, bytes: Uint8Array): string {
  if (bytes.byteLength === 0) throw malformed(vendor, "empty audio");
  const type = sniffAudio(bytes);
  if (!type) throw malformed(vendor, "bytes that are not audio (MP3, WAV, Ogg, FLAC or AAC)");
  return type;
}

export function verifyVideo(vendor: string, bytes: Uint8Array): string {
  if (bytes.byteLength === 0) throw malformed(vendor, "an empty video");
  const type = sniffVideo(bytes);
  if (!type) throw malformed(vendor, "bytes that are not a video (MP4, MOV or WebM)");
  return type;
}

/** Duration of a PCM WAV from its header (fmt byte rate and data size), or undefined. */
export function wavDurationMs(b: Uint8Array): number | undefined {
  if (b.length < 12 || !ascii(b, 0, "RIFF") || !ascii(b, 8, "WAVE")) return undefined;
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let byteRate: number | undefined;
  let i = 12;
  while (i + 8 <= b.length) {
    const size = view.getUint32(i + 4, true);
    if (ascii(b, i, "fmt ") && i + 16 <= b.length) byteRate = view.getUint32(i + 16, true);
    if (ascii(b, i, "data")) {
      if (!byteRate) return undefined;
      const dataSize = Math.min(size, b.length - i - 8);
      return Math.round((dataSize / byteRate) * 1000);
    }
    i += 8 + size + (size % 2);
  }
  return undefined;
}

export function decodeBase64(vendor: string, value: string): Uint8Array {
  const clean = value.replace(/^data:[^;,]+;base64,/, "").replace(/\s+/g, "");
  try {
    return fromBase64(clean);
  } catch {
    throw malformed(vendor, "base64 data that does not decode");
  }
}

/** An input image as a URL a vendor accepts: the signed URL as is, bytes as a data URI. */
export function imageInputUrl(input: ImageInput): string {
  if ("url" in input) return input.url;
  return `data:${input.mediaType};base64,${toBase64(input.bytes)}`;
}

/** The nearest of a vendor's allowed aspect ratios to width×height. */
export function nearestRatio<T extends string>(width: number, height: number, allowed: readonly T[]): T {
  const want = width / height;
  let best = allowed[0] as T;
  let bestDiff = Number.POSITIVE_INFINITY;
  for (const r of allowed) {
    const [w, h] = r.split(/[:x*]/).map(Number) as [number, number];
    const diff = Math.abs(Math.log(w / h / want));
    if (diff < bestDiff) {
      bestDiff = diff;
      best = r;
    }
  }
  return best;
}
