import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { idempotent } from "../core/idempotency";
import { coreOf, principalOf } from "../platform/context";

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
  const ctx = coreOf(c);
  const { body, replayed } = await idempotent(
    ctx.db,
    principalOf(c).userId,
    scope,
    c.req.header("Idempotency-Key"),
    request,
    ctx.now,
    run,
  );
  if (replayed) c.header("Idempotent-Replayed", "true");
  return body;
}
