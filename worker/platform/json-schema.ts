import { z } from "@hono/zod-openapi";

/**
 * Limits of every free-form JSON field of the API (task outputs, parameters, metadata, config
 * data). The depth limit keeps answers renderable: `JSON.stringify` recurses, so a value nested
 * 20 000 levels deep is accepted by `JSON.parse` and then overflows the stack of every answer
 * that carries it (and SQLite's JSON functions refuse more than 1 000 levels). The size limit keeps
 * a row well under D1's 2 MB value limit and a page of 100 rows small enough to answer.
 */
export const FREE_JSON_LIMITS = { maxDepth: 32, maxBytes: 64 * 1024 } as const;

export interface JsonLimits {
  maxDepth: number;
  maxBytes: number;
}

const encoder = new TextEncoder();

/** Whether `value` nests objects or arrays deeper than `maxDepth` (iterative: never recurses). */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== "object") continue;
    if (depth > maxDepth) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Why `value` breaks the limits, or null. The size is only measured once the depth is safe. */
export function jsonLimitProblem(value: unknown, limits: JsonLimits = FREE_JSON_LIMITS): string | null {
  if (exceedsDepth(value, limits.maxDepth)) {
    return `nested deeper than ${limits.maxDepth} levels (free-form JSON allows at most ${limits.maxDepth})`;
  }
  const bytes = encoder.encode(JSON.stringify(value)).byteLength;
  if (bytes > limits.maxBytes) {
    return `${bytes} bytes of JSON (free-form JSON allows at most ${limits.maxBytes})`;
  }
  return null;
}

/**
 * The one schema for a free-form JSON object field, on either surface: any keys and values, within
 * the depth and size limits. A violation is an ordinary field error (422 on the studio surface,
 * code 400 on the automation one) naming the field by its path, raised by the validation hook, so
 * nothing is written.
 */
export function freeJson(limits: Partial<JsonLimits> = {}) {
  const l: JsonLimits = { ...FREE_JSON_LIMITS, ...limits };
  return z.record(z.string(), z.unknown()).superRefine((value, ctx) => {
    const problem = jsonLimitProblem(value, l);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });
}

/**
 * A stored free-form value on its way into an answer. Values written before the limits existed
 * may be too deep to render; they read as `fallback` (and are logged) instead of failing every
 * answer that lists them.
 */
export function storedJson<F extends Record<string, unknown> | null>(
  value: Record<string, unknown> | null | undefined,
  fallback: F,
): Record<string, unknown> | F {
  if (value === null || value === undefined) return fallback;
  if (!exceedsDepth(value, FREE_JSON_LIMITS.maxDepth)) return value;
  console.warn(JSON.stringify({ level: "warn", msg: "stored JSON too deep to answer; shown as empty" }));
  return fallback;
}
