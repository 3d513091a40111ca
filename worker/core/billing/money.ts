/**
 * Money is integer fen (hundredths of ¥) from the ledger to Stripe. The two places where a charge
 * is a fraction — a fee for part of a period, storage by the byte-day — are computed here as exact
 * rationals in BigInt and rounded once, half up, to the fen: a yearly fee (999 000 fen) times a
 * year in milliseconds is past 2^53, where a float would already have lost the last fen.
 */

/** `a / b` rounded half up, for non-negative `a` and positive `b`. */
function divideHalfUp(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

function toSafeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${value} fen is not a safe integer`);
  return Number(value);
}

/** The part of `fee` (fen) that `elapsedMs` of a `periodMs`-long period is worth. */
export function prorate(fee: number, elapsedMs: number, periodMs: number): number {
  if (periodMs <= 0) return fee;
  const elapsed = Math.min(Math.max(0, elapsedMs), periodMs);
  return toSafeNumber(divideHalfUp(BigInt(fee) * BigInt(elapsed), BigInt(periodMs)));
}

const GIB = 1024n ** 3n;
/** Least common multiple of 28, 29, 30 and 31: every month's length divides it. */
const MONTH_LENGTHS_LCM = 377_580n;

/** One UTC day of storage: the bytes held and the length of the month the day is in. */
export interface StorageDay {
  bytes: number;
  daysInMonth: number;
}

/**
 * What a run of storage days costs at `pricePerGibMonth` fen: each day holding B bytes is
 * B / GiB × price / (days in its month), summed exactly and rounded once.
 */
export function storageCost(days: readonly StorageDay[], pricePerGibMonth: number): number {
  let numerator = 0n;
  for (const d of days) {
    numerator += BigInt(d.bytes) * BigInt(pricePerGibMonth) * (MONTH_LENGTHS_LCM / BigInt(d.daysInMonth));
  }
  return toSafeNumber(divideHalfUp(numerator, GIB * MONTH_LENGTHS_LCM));
}
