/**
 * Content types from magic bytes, never from what a client claims: a file is what its first bytes
 * say. Returns null for anything not on the allow-list (SVG and HTML included).
 */
export type MediaKind = "image" | "video" | "audio" | "text";

export interface Sniffed {
  kind: MediaKind;
  contentType: string;
}

const ascii = (bytes: Uint8Array, start: number, text: string) =>
  text.split("").every((ch, i) => bytes[start + i] === ch.charCodeAt(0));

export function sniffMedia(head: Uint8Array): Sniffed | null {
  const b = head;
  if (b.length >= 8 && b[0] === 0x89 && ascii(b, 1, "PNG\r\n\x1a\n"))
    return { kind: "image", contentType: "image/png" };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff)
    return { kind: "image", contentType: "image/jpeg" };
  if (b.length >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP"))
    return { kind: "image", contentType: "image/webp" };
  if (b.length >= 6 && (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")))
    return { kind: "image", contentType: "image/gif" };
  if (b.length >= 12 && ascii(b, 4, "ftyp")) {
    const brand = String.fromCharCode(...b.slice(8, 12));
    if (brand.startsWith("M4A")) return { kind: "audio", contentType: "audio/mp4" };
    if (brand === "qt  ") return { kind: "video", contentType: "video/quicktime" };
    return { kind: "video", contentType: "video/mp4" };
  }
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) {
    return { kind: "video", contentType: "video/webm" };
  }
  if (b.length >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WAVE"))
    return { kind: "audio", contentType: "audio/wav" };
  if (b.length >= 4 && ascii(b, 0, "OggS")) return { kind: "audio", contentType: "audio/ogg" };
  if (b.length >= 4 && ascii(b, 0, "fLaC")) return { kind: "audio", contentType: "audio/flac" };
  if (b.length >= 3 && ascii(b, 0, "ID3")) return { kind: "audio", contentType: "audio/mpeg" };
  if (b.length >= 2 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0)
    return { kind: "audio", contentType: "audio/mpeg" };
  if (looksLikePlainText(b)) return { kind: "text", contentType: "text/plain; charset=utf-8" };
  return null;
}

function looksLikePlainText(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  const text = new TextDecoder().decode(b);
  if (text.includes("\u0000") || text.includes("\ufffd".repeat(2))) return false;
  // Markup is never accepted as text: it would render as a page if served with the wrong type.
  return !/^\s*</.test(text);
}
