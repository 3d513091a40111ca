import { fromBase64Url, hmacSha256, timingSafeEqual, toBase64Url } from "../../contracts/crypto";

/**
 * Signed, expiring download URLs for objects in R2: `/files/{key}?exp={unix seconds}&sig={mac}`.
 * The MAC covers the key and the expiry, so a URL names exactly one object until one moment and
 * cannot be edited into another tenant's key. Expiries are rounded up to a quarter hour so the same
 * object keeps the same URL for a while and browsers can cache it.
 */
export const FILES_PREFIX = "/files/";
const ROUND_SECONDS = 900;

export interface FileUrlOptions {
  /** Seconds the URL stays valid at least. */
  ttlSeconds?: number;
  /** Served as an attachment with this file name. */
  downloadName?: string;
}

function message(key: string, exp: number, download: string | null): string {
  return `${key}\n${exp}\n${download ?? ""}`;
}

export async function signedFileUrl(
  secret: string,
  origin: string,
  key: string,
  nowMs: number,
  opts: FileUrlOptions = {},
): Promise<string> {
  const ttl = opts.ttlSeconds ?? 3600;
  const exp = Math.ceil((nowMs / 1000 + ttl) / ROUND_SECONDS) * ROUND_SECONDS;
  const download = opts.downloadName ?? null;
  const sig = toBase64Url(await hmacSha256(secret, message(key, exp, download)));
  const path = key.split("/").map(encodeURIComponent).join("/");
  const query = new URLSearchParams({ exp: String(exp), sig });
  if (download) query.set("download", download);
  return `${origin}${FILES_PREFIX}${path}?${query}`;
}

export type FileUrlCheck =
  | { ok: true; key: string; download: string | null }
  | { ok: false; reason: "invalid" | "expired" };

/** Checks a request for `/files/...`: a bad or edited signature is `invalid`, an old one `expired`. */
export async function verifyFileUrl(secret: string, url: URL, nowMs: number): Promise<FileUrlCheck> {
  if (!url.pathname.startsWith(FILES_PREFIX)) return { ok: false, reason: "invalid" };
  let key: string;
  try {
    key = url.pathname.slice(FILES_PREFIX.length).split("/").map(decodeURIComponent).join("/");
  } catch {
    return { ok: false, reason: "invalid" };
  }
  const exp = Number(url.searchParams.get("exp"));
  const sig = url.searchParams.get("sig") ?? "";
  const download = url.searchParams.get("download");
  if (!Number.isInteger(exp) || !/^[A-Za-z0-9_-]{43}$/.test(sig) || key.length === 0)
    return { ok: false, reason: "invalid" };
  const expected = await hmacSha256(secret, message(key, exp, download));
  if (!timingSafeEqual(expected, fromBase64Url(sig))) return { ok: false, reason: "invalid" };
  if (exp * 1000 <= nowMs) return { ok: false, reason: "expired" };
  return { ok: true, key, download };
}

export type ByteRange = { offset: number; length: number };

/**
 * Parses a single `Range: bytes=…` header against an object size. Multiple ranges are answered
 * with the whole object (allowed by RFC 9110); an unsatisfiable range is `"unsatisfiable"`.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | "unsatisfiable" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, startText, endText] = m;
  if (startText === "" && endText === "") return null;
  if (startText === "") {
    const suffix = Number(endText);
    if (suffix === 0) return "unsatisfiable";
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const start = Number(startText);
  if (start >= size) return "unsatisfiable";
  const end = endText === "" ? size - 1 : Math.min(Number(endText), size - 1);
  if (end < start) return "unsatisfiable";
  return { offset: start, length: end - start + 1 };
}
