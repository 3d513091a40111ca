import type { Context } from "hono";
import { idempotent } from "../core/idempotency";
import type { AppEnv } from "../platform/http/app-env";
import { contextOf, principalOf } from "../platform/http/context";

/**
 * A studio POST that honours `Idempotency-Key` (core/idempotency.ts): runs `run` once per key and
 * body, answers a repeat with the first answer and marks it `Idempotent-Replayed: true`.
 */
export async function idempotentAnswer<T>(
  c: Context<AppEnv>,
  scope: string,
  request: unknown,
  run: () => Promise<T>,
): Promise<T> {
  const { body, replayed } = await idempotent(
    contextOf(c),
    principalOf(c).userId,
    scope,
    c.req.header("Idempotency-Key"),
    request,
    run,
  );
  if (replayed) c.header("Idempotent-Replayed", "true");
  return body;
}
