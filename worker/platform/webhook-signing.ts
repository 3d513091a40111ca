import { hmacSha256, timingSafeEqual, toBase64, utf8 } from "../../contracts/crypto";

/**
 * Signatures of the Standard Webhooks scheme: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`
 * in `webhook-signature`, with `webhook-id` and `webhook-timestamp` headers. Receivers verify the
 * raw body bytes and refuse timestamps outside a tolerance window.
 */
export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

export async function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<SignedHeaders> {
  const mac = await hmacSha256(secret, `${id}.${timestampSeconds}.${body}`);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSeconds),
    "webhook-signature": `v1,${toBase64(mac)}`,
  };
}

/** True if any `v1,` signature in the header matches (several are sent during a secret rotation). */
export async function verifyWebhook(
  secrets: readonly string[],
  headers: { id: string | undefined; timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): Promise<boolean> {
  if (!headers.id || !headers.timestamp || !headers.signature) return false;
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const offered = headers.signature
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => s.slice(3));
  for (const secret of secrets) {
    const expected = toBase64(await hmacSha256(secret, `${headers.id}.${ts}.${body}`));
    for (const candidate of offered) {
      if (timingSafeEqual(utf8(candidate), utf8(expected))) return true;
    }
  }
  return false;
}
