import { fromBase64Url, toBase64Url, utf8 } from "../../../contracts/crypto";
import { AppError } from "../../platform/errors";

/**
 * Platform credentials at rest: AES-256-GCM under versioned keys from the CREDENTIALS_KEYS secret
 * (`v2:<base64>,v1:<base64>`; the first encrypts, all decrypt, so keys rotate without downtime).
 * The additional data binds a ciphertext to its row: pasted into another account, it fails.
 */
interface KeyRing {
  current: { version: string; key: CryptoKey };
  byVersion: Map<string, CryptoKey>;
}

const rings = new Map<string, Promise<KeyRing>>();

function decodeKey(b64: string): Uint8Array<ArrayBuffer> {
  // fromBase64Url also reads standard base64 once `+/` are mapped and padding dropped.
  const bytes = fromBase64Url(b64.trim().replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
  if (bytes.byteLength !== 32) throw new Error("each CREDENTIALS_KEYS entry must be 32 bytes of base64");
  return bytes;
}

async function loadRing(secret: string): Promise<KeyRing> {
  const entries = secret
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean)
    .map((entry) => {
      const sep = entry.indexOf(":");
      if (sep <= 0) throw new Error("CREDENTIALS_KEYS entries look like v1:<base64>");
      return { version: entry.slice(0, sep), raw: decodeKey(entry.slice(sep + 1)) };
    });
  if (entries.length === 0) throw new Error("CREDENTIALS_KEYS is empty");
  const byVersion = new Map<string, CryptoKey>();
  for (const e of entries) {
    byVersion.set(
      e.version,
      await crypto.subtle.importKey("raw", e.raw, "AES-GCM", false, ["encrypt", "decrypt"]),
    );
  }
  const first = entries[0] as { version: string };
  return { current: { version: first.version, key: byVersion.get(first.version) as CryptoKey }, byVersion };
}

function ring(secret: string | undefined): Promise<KeyRing> {
  if (!secret) throw new AppError("INTERNAL_SERVER_ERROR", "Credential encryption is not configured");
  let r = rings.get(secret);
  if (!r) {
    r = loadRing(secret);
    rings.set(secret, r);
  }
  return r;
}

export function credentialsAad(ownerId: number, accountId: number): string {
  return `platform-account:${ownerId}:${accountId}`;
}

export interface SealedCredentials {
  ciphertext: string;
  iv: string;
  keyVersion: string;
}

export async function sealCredentials(
  secret: string | undefined,
  credentials: Record<string, unknown>,
  aad: string,
): Promise<SealedCredentials> {
  const { current } = await ring(secret);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(aad) },
    current.key,
    utf8(JSON.stringify(credentials)),
  );
  return {
    ciphertext: toBase64Url(new Uint8Array(sealed)),
    iv: toBase64Url(iv),
    keyVersion: current.version,
  };
}

export async function openCredentials(
  secret: string | undefined,
  sealed: SealedCredentials,
  aad: string,
): Promise<Record<string, unknown>> {
  const { byVersion } = await ring(secret);
  const key = byVersion.get(sealed.keyVersion);
  try {
    if (!key || !sealed.ciphertext) throw new Error("no key");
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64Url(sealed.iv), additionalData: utf8(aad) },
      key,
      fromBase64Url(sealed.ciphertext),
    );
    return JSON.parse(new TextDecoder().decode(plain)) as Record<string, unknown>;
  } catch {
    throw new AppError("INTERNAL_SERVER_ERROR", "The credentials of this account are unavailable");
  }
}

export async function currentKeyVersion(secret: string | undefined): Promise<string> {
  return (await ring(secret)).current.version;
}

/** What responses show instead of credentials: every field name, no value. */
export function maskCredentials(credentials: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.keys(credentials).map((k) => [k, "***masked***"]));
}
