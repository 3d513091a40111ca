import { sha256Hex } from "../../contracts/crypto";

/**
 * The job row records a hash of what was sent before it is sent, so a redelivered message can
 * tell "the same call" from "a new call" without storing prompts or images twice. JSON.stringify
 * depends on key order; this does not. Bytes are hashed to their digest first (an image is
 * identified by its content, not by 2 MB of base64 in the hash input), functions and zod schemas
 * are left out (they are code, not request data), and `undefined` fields are dropped as JSON does.
 */
export async function requestHash(value: unknown): Promise<string> {
  return sha256Hex(await stableJson(value));
}

/** Canonical JSON: sorted keys, no whitespace, byte arrays replaced by `{sha256: ...}`. */
export async function stableJson(value: unknown): Promise<string> {
  return JSON.stringify(await canonical(value, 0));
}

async function canonical(value: unknown, depth: number): Promise<unknown> {
  if (depth > 32) throw new Error("request too deeply nested to hash");
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error("request contains a non-finite number");
    return value;
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "undefined" || typeof value === "function" || typeof value === "symbol")
    return undefined;
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
    return { sha256: await sha256Hex(bytes) };
  }
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const c = await canonical(item, depth + 1);
      out.push(c === undefined ? null : c);
    }
    return out;
  }
  if (isZodSchema(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value as object).sort()) {
    const c = await canonical((value as Record<string, unknown>)[key], depth + 1);
    if (c !== undefined) out[key] = c;
  }
  return out;
}

function isZodSchema(value: unknown): boolean {
  return typeof value === "object" && value !== null && "_zod" in value;
}
