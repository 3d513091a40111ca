/**
 * Requests between the Worker and the renderer are signed with their shared secret: an HMAC-SHA256
 * over the timestamp, a one-time nonce, the method, the path (with query) and the SHA-256 of the
 * body. Receivers refuse a timestamp outside the window and a nonce they have seen (replay).
 * WebCrypto only, so the same code runs in Workers and in Node.
 */
import { hmacSha256, sha256Hex, timingSafeEqual, toHex, utf8 } from "./crypto";

export const SIGNATURE_HEADERS = {
  timestamp: "x-sds-timestamp",
  nonce: "x-sds-nonce",
  signature: "x-sds-signature",
} as const;

export const SIGNATURE_WINDOW_SECONDS = 300;

async function mac(secret: string, message: string): Promise<string> {
  return toHex(await hmacSha256(secret, message));
}

function canonical(timestamp: string, nonce: string, method: string, path: string, bodyHash: string): string {
  return `${timestamp}\n${nonce}\n${method.toUpperCase()}\n${path}\n${bodyHash}`;
}

/** Headers for a signed request. `path` is the URL's pathname plus search. */
export async function signRequest(
  secret: string,
  req: { method: string; path: string; body?: string | Uint8Array; nowSeconds?: number; nonce?: string },
): Promise<Record<string, string>> {
  const timestamp = String(req.nowSeconds ?? Math.floor(Date.now() / 1000));
  const nonce = req.nonce ?? crypto.randomUUID();
  const bodyHash = await sha256Hex(req.body ?? "");
  return {
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: await mac(
      secret,
      canonical(timestamp, nonce, req.method, req.path, bodyHash),
    ),
  };
}

export type SignatureCheck = { ok: true; nonce: string } | { ok: false; reason: string };

/** Checks a request's signature and timestamp; the caller must also refuse a nonce seen before. */
export async function verifyRequest(
  secret: string,
  req: {
    method: string;
    path: string;
    body: string | Uint8Array;
    headers: { get(name: string): string | null | undefined };
    nowSeconds?: number;
  },
): Promise<SignatureCheck> {
  const timestamp = req.headers.get(SIGNATURE_HEADERS.timestamp);
  const nonce = req.headers.get(SIGNATURE_HEADERS.nonce);
  const signature = req.headers.get(SIGNATURE_HEADERS.signature);
  if (!timestamp || !nonce || !signature) return { ok: false, reason: "missing signature headers" };
  if (
    !/^\d{1,12}$/.test(timestamp) ||
    !/^[A-Za-z0-9-]{8,100}$/.test(nonce) ||
    !/^[0-9a-f]{64}$/.test(signature)
  ) {
    return { ok: false, reason: "malformed signature headers" };
  }
  const now = req.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > SIGNATURE_WINDOW_SECONDS)
    return { ok: false, reason: "stale timestamp" };
  const expected = await mac(
    secret,
    canonical(timestamp, nonce, req.method, req.path, await sha256Hex(req.body)),
  );
  return timingSafeEqual(utf8(expected), utf8(signature))
    ? { ok: true, nonce }
    : { ok: false, reason: "bad signature" };
}
