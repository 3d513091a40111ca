import {
  fromBase64Url,
  hmacSha256,
  randomBytes,
  timingSafeEqual,
  toBase64Url,
} from "../../../contracts/crypto";
import { AppError } from "../../platform/errors";

/**
 * PBKDF2-HMAC-SHA256 at exactly 100 000 iterations plus a secret pepper.
 * Production Workers refuse PBKDF2 above 100 000 iterations while local runtimes do not, so the
 * parameters are pinned here and by a test; a stored hash asking for more is refused before any
 * derivation runs. Format: `$pbkdf2-sha256$i=100000$<salt b64url>$<hash b64url>`.
 */
export const PASSWORD_HASH_PARAMS = {
  algorithm: "pbkdf2-sha256",
  iterations: 100_000,
  maxIterations: 100_000,
  saltBytes: 16,
  hashBytes: 32,
} as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

async function derive(password: string, pepper: string, salt: Uint8Array<ArrayBuffer>, iterations: number) {
  if (iterations < 1 || iterations > PASSWORD_HASH_PARAMS.maxIterations) {
    throw new AppError("INTERNAL_SERVER_ERROR", "Unsupported password hash parameters");
  }
  // PBKDF2 runs over HMAC(pepper, password): a stolen hash is useless without the secret, and
  // the input has a fixed length whatever the password.
  const peppered = await hmacSha256(pepper, password);
  const key = await crypto.subtle.importKey("raw", peppered, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt, iterations },
    key,
    PASSWORD_HASH_PARAMS.hashBytes * 8,
  );
  return new Uint8Array(bits);
}

export async function hashPassword(password: string, pepper: string): Promise<string> {
  const salt = randomBytes(PASSWORD_HASH_PARAMS.saltBytes);
  const hash = await derive(password, pepper, salt, PASSWORD_HASH_PARAMS.iterations);
  return `$${PASSWORD_HASH_PARAMS.algorithm}$i=${PASSWORD_HASH_PARAMS.iterations}$${toBase64Url(salt)}$${toBase64Url(hash)}`;
}

export interface ParsedHash {
  iterations: number;
  salt: Uint8Array<ArrayBuffer>;
  hash: Uint8Array<ArrayBuffer>;
}

export function parsePasswordHash(stored: string): ParsedHash | null {
  const match = /^\$pbkdf2-sha256\$i=(\d{1,7})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
  if (!match) return null;
  const iterations = Number(match[1]);
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > PASSWORD_HASH_PARAMS.maxIterations)
    return null;
  return { iterations, salt: fromBase64Url(match[2] ?? ""), hash: fromBase64Url(match[3] ?? "") };
}

export async function verifyPassword(password: string, stored: string, pepper: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const candidate = await derive(password, pepper, parsed.salt, parsed.iterations);
  return timingSafeEqual(candidate, parsed.hash);
}

// A fixed hash to verify against when the email is unknown, so both paths cost one derivation
// and answer in the same time.
const DUMMY_HASH = `$pbkdf2-sha256$i=100000$${"A".repeat(22)}$${"A".repeat(43)}`;

export async function burnPasswordCheck(password: string, pepper: string): Promise<false> {
  await verifyPassword(password, DUMMY_HASH, pepper);
  return false;
}
