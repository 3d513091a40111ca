/**
 * Image type and dimensions from the first bytes of a file (PNG, JPEG, WebP), without decoding:
 * enough to refuse a fake or a decompression bomb before anything decodes it. Used by the Worker
 * for uploads and by the renderer for inputs.
 */
import { ascii, sniffMedia } from "./sniff";

export type ImageType = "png" | "jpeg" | "webp";

export interface ImageHeader {
  type: ImageType;
  contentType: string;
  width: number;
  height: number;
}

const CONTENT_TYPES: Record<ImageType, string> = { png: "image/png", jpeg: "image/jpeg", webp: "image/webp" };
const TYPES = new Map(Object.entries(CONTENT_TYPES).map(([type, ct]) => [ct, type as ImageType]));

const u16be = (b: Uint8Array, i: number) => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
const u16le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
const u24le = (b: Uint8Array, i: number) => (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8) | ((b[i + 2] ?? 0) << 16);
const u32be = (b: Uint8Array, i: number) =>
  (((b[i] ?? 0) << 24) >>> 0) + u16be(b, i + 1) * 256 + (b[i + 3] ?? 0);
/** The type of an image by its magic bytes (the one sniffer, contracts/sniff.ts), or null. */
export function imageType(b: Uint8Array): ImageType | null {
  const sniffed = sniffMedia(b);
  return sniffed?.kind === "image" ? (TYPES.get(sniffed.contentType) ?? null) : null;
}

/**
 * Reads the dimensions from a header (a PNG needs 24 bytes, a WebP 30, a JPEG up to its first
 * frame marker). Returns null when the bytes are not a well-formed header of a supported type.
 */
export function readImageHeader(b: Uint8Array): ImageHeader | null {
  const type = imageType(b);
  if (!type) return null;
  let size: { width: number; height: number } | null = null;
  if (type === "png") {
    if (b.length >= 24 && ascii(b, 12, "IHDR")) size = { width: u32be(b, 16), height: u32be(b, 20) };
  } else if (type === "webp") {
    if (b.length >= 30 && ascii(b, 12, "VP8X")) size = { width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
    else if (b.length >= 30 && ascii(b, 12, "VP8 ") && b[23] === 0x9d && b[24] === 0x01 && b[25] === 0x2a) {
      size = { width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    } else if (b.length >= 25 && ascii(b, 12, "VP8L") && b[20] === 0x2f) {
      const bits = (b[21] ?? 0) | ((b[22] ?? 0) << 8) | ((b[23] ?? 0) << 16) | ((b[24] ?? 0) << 24);
      size = { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
  } else {
    size = jpegSize(b);
  }
  if (!size || size.width <= 0 || size.height <= 0) return null;
  return { type, contentType: CONTENT_TYPES[type], ...size };
}

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === 0xff) {
      i += marker === 0xff ? 1 : 2;
      continue;
    }
    const length = u16be(b, i + 2);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    if (marker === 0xda || marker === 0xd9) return null;
    i += 2 + length;
  }
  return null;
}
