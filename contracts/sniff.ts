/**
 * The one magic-byte sniffer of the Worker (uploads, outputs, vendors' answers) and the renderer
 * (image inputs, through image-header.ts). Content types come from the first bytes, never from
 * what a client or a vendor claims; anything not on the allow-list (SVG and HTML included) is null.
 */
export type MediaKind = "image" | "video" | "audio" | "text";

export interface Sniffed {
  kind: MediaKind;
  contentType: string;
}

/** True when `text` (ASCII) is spelled out at `start`. */
export const ascii = (bytes: Uint8Array, start: number, text: string) =>
  text.split("").every((ch, i) => bytes[start + i] === ch.charCodeAt(0));

// The signatures, each checked once here.
const isPng = (b: Uint8Array) => b.length >= 8 && b[0] === 0x89 && ascii(b, 1, "PNG\r\n\x1a\n");
const isJpeg = (b: Uint8Array) => b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const isWebp = (b: Uint8Array) => b.length >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP");
const isGif = (b: Uint8Array) => b.length >= 6 && (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a"));
/** ISO base media (MP4, MOV, M4A): a `ftyp` box first. */
const isIsoBmff = (b: Uint8Array) => b.length >= 12 && ascii(b, 4, "ftyp");
const isWebm = (b: Uint8Array) =>
  b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3;
const isWav = (b: Uint8Array) => b.length >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE");
const isOgg = (b: Uint8Array) => b.length >= 4 && ascii(b, 0, "OggS");
const isFlac = (b: Uint8Array) => b.length >= 4 && ascii(b, 0, "fLaC");
const isId3 = (b: Uint8Array) => b.length >= 3 && ascii(b, 0, "ID3");
const isMpegSync = (b: Uint8Array) => b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0;
const isAdts = (b: Uint8Array) => b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xf6) === 0xf0;

/** ISO base media that is a video: QuickTime by its brand, anything else MP4. */
const isoVideoType = (b: Uint8Array) => (ascii(b, 8, "qt  ") ? "video/quicktime" : "video/mp4");

/** Any stored file: images, video, audio, or plain text that is not markup. */
export function sniffMedia(b: Uint8Array): Sniffed | null {
  if (isPng(b)) return { kind: "image", contentType: "image/png" };
  if (isJpeg(b)) return { kind: "image", contentType: "image/jpeg" };
  if (isWebp(b)) return { kind: "image", contentType: "image/webp" };
  if (isGif(b)) return { kind: "image", contentType: "image/gif" };
  if (isIsoBmff(b)) {
    if (ascii(b, 8, "M4A")) return { kind: "audio", contentType: "audio/mp4" };
    return { kind: "video", contentType: isoVideoType(b) };
  }
  if (isWebm(b)) return { kind: "video", contentType: "video/webm" };
  if (isWav(b)) return { kind: "audio", contentType: "audio/wav" };
  if (isOgg(b)) return { kind: "audio", contentType: "audio/ogg" };
  if (isFlac(b)) return { kind: "audio", contentType: "audio/flac" };
  if (isId3(b)) return { kind: "audio", contentType: "audio/mpeg" };
  if (isMpegSync(b)) return { kind: "audio", contentType: "audio/mpeg" };
  if (looksLikePlainText(b)) return { kind: "text", contentType: "text/plain; charset=utf-8" };
  return null;
}

/**
 * Bytes that should be audio (a vendor's speech): any ISO base media is MP4 audio here, and an
 * ADTS stream is AAC rather than an MPEG frame.
 */
export function sniffAudio(b: Uint8Array): string | null {
  if (b.length < 4) return null;
  if (isId3(b)) return "audio/mpeg";
  if (isWav(b)) return "audio/wav";
  if (isOgg(b)) return "audio/ogg";
  if (isFlac(b)) return "audio/flac";
  if (isIsoBmff(b)) return "audio/mp4";
  if (isAdts(b)) return "audio/aac";
  if (isMpegSync(b)) return "audio/mpeg";
  return null;
}

/** Bytes that should be a video (a vendor's clip). */
export function sniffVideo(b: Uint8Array): string | null {
  if (isIsoBmff(b)) return isoVideoType(b);
  if (isWebm(b)) return "video/webm";
  return null;
}

function looksLikePlainText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  const text = new TextDecoder().decode(b);
  if (text.includes("\u0000") || text.includes("\ufffd".repeat(2))) return false;
  // Markup is never accepted as text: it would render as a page if served with the wrong type.
  return !/^\s*</.test(text);
}
