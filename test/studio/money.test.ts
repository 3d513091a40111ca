import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { prorate, storageCost } from "../../worker/core/billing/money";
import { storageFen } from "../helpers/billing";

/** Money is integer fen, computed exactly and rounded once (worker/core/billing/money.ts). */
const YEAR_MS = 365 * 86_400_000;

/** fee × part / whole, rounded half up, from the definition (a reference independent of the code). */
const reference = (fee: number, part: number, whole: number) =>
  Number((2n * BigInt(fee) * BigInt(part) + BigInt(whole)) / (2n * BigInt(whole)));

describe("prorated fees", () => {
  it("are exact where a float is not: ¥9990 a year, for a third of a year to the millisecond", () => {
    const third = Math.floor(YEAR_MS / 3) + 1;
    // 999000 × third is above 2^53: the float product is already off before rounding.
    expect(999_000 * third).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    expect(prorate(999_000, third, YEAR_MS)).toBe(reference(999_000, third, YEAR_MS));
    expect(prorate(999_000, YEAR_MS, YEAR_MS)).toBe(999_000);
    expect(prorate(999_000, 0, YEAR_MS)).toBe(0);
    // 10 of 30 days of ¥299: 9966.67 fen → 9967; half a fen rounds up.
    expect(prorate(29_900, 10, 30)).toBe(9967);
    expect(prorate(1, 1, 2)).toBe(1);
  });

  it("match the exact fraction for any fee and part of a period, and never exceed the fee", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 2 * YEAR_MS }),
        fc.integer({ min: 0, max: 2 * YEAR_MS }),
        (fee, whole, part) => {
          const got = prorate(fee, part, whole);
          expect(Number.isInteger(got)).toBe(true);
          expect(got).toBe(reference(fee, Math.min(part, whole), whole));
          expect(got).toBeLessThanOrEqual(fee);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("storage", () => {
  it("costs ¥10 per GiB-month by the day, summed exactly and rounded once", () => {
    const GIB = 1024 ** 3;
    // One GiB for all 30 days of a 30-day month is exactly ¥10.
    expect(
      storageCost(
        Array.from({ length: 30 }, () => ({ bytes: GIB, daysInMonth: 30 })),
        1000,
      ),
    ).toBe(1000);
    // 64 MiB for 29 days of a 31-day month: 1000 × 29 / (16 × 31) = 58.47 fen → 58.
    expect(
      storageCost(
        Array.from({ length: 29 }, () => ({ bytes: 64 * 1024 ** 2, daysInMonth: 31 })),
        1000,
      ),
    ).toBe(58);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            bytes: fc.integer({ min: 0, max: 10 * 1024 ** 4 }),
            daysInMonth: fc.constantFrom(28, 29, 30, 31),
          }),
          { maxLength: 400 },
        ),
        (days) => {
          expect(storageCost(days, 1000)).toBe(storageFen(days));
        },
      ),
      { numRuns: 500 },
    );
  });
});
