import { sha256Hex } from "../../contracts/crypto";
import {
  clearDeadIdempotencyKey,
  deleteIdempotencyKeysBefore,
  findIdempotencyKey,
  releaseIdempotencyKey,
  storeIdempotentAnswer,
  takeIdempotencyKey,
} from "../db/queries/idempotency-keys";
import { AppError, conflict } from "../platform/errors";
import type { AppContext } from "./context";

/**
 * `Idempotency-Key` on POSTs that create things: the first request with a key runs and its answer
 * is kept for a day; a repeat with the same body gets the same answer without running again; the
 * same key with a different body is 409, as is a repeat while the first still runs. A request that fails leaves no trace, so the client
 * may retry it under the same key.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;
/** A first request that has neither answered nor failed after this long is presumed dead. */
const IN_FLIGHT_STALE_MS = 60_000;

export interface IdempotentResult<T> {
  body: T;
  replayed: boolean;
}

function checkKey(key: string): void {
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError("VALIDATION_ERROR", "Idempotency-Key must be 1-255 visible ASCII characters", {
      fieldErrors: [{ field: "header.idempotency-key", message: "1-255 visible ASCII characters" }],
    });
  }
}

export async function idempotent<T>(
  ctx: AppContext,
  ownerId: number,
  scope: string,
  key: string | undefined,
  request: unknown,
  run: () => Promise<T>,
): Promise<IdempotentResult<T>> {
  if (key === undefined) return { body: await run(), replayed: false };
  checkKey(key);
  const { db, now } = ctx;
  const hash = await sha256Hex(JSON.stringify(request));
  const ref = { ownerId, scope, key };

  // Expired keys and dead first attempts are cleared, then the key is taken atomically.
  await clearDeadIdempotencyKey(db, ref, now - IDEMPOTENCY_TTL_MS, now - IN_FLIGHT_STALE_MS);
  if (!(await takeIdempotencyKey(db, ref, hash, now))) {
    const row = await findIdempotencyKey(db, ref);
    if (!row) throw conflict("A request with this Idempotency-Key is in progress; retry shortly");
    if (row.requestHash !== hash) {
      throw conflict("This Idempotency-Key was already used with a different request body");
    }
    if (row.statusCode === null || row.responseBody === null) {
      throw conflict("A request with this Idempotency-Key is in progress; retry shortly");
    }
    return { body: JSON.parse(row.responseBody) as T, replayed: true };
  }
  let body: T;
  try {
    body = await run();
  } catch (err) {
    await releaseIdempotencyKey(db, ref);
    throw err;
  }
  await storeIdempotentAnswer(db, ref, body);
  return { body, replayed: false };
}

/** Cron: forget keys past their day. */
export async function purgeIdempotencyKeys(ctx: AppContext) {
  await deleteIdempotencyKeysBefore(ctx.db, ctx.now - IDEMPOTENCY_TTL_MS);
}
