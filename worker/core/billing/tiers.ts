import type { BILLING_CYCLES, TIERS } from "../../db/schema/billing";

export type Tier = (typeof TIERS)[number];
export type BillingCycle = (typeof BILLING_CYCLES)[number];

/** Credits and prices per tier. Money and credits are integer hundredths. */
export const TIER_PLANS: Record<
  Tier,
  { rank: number; monthlyCredits: number; price: Record<BillingCycle, number> }
> = {
  free: { rank: 0, monthlyCredits: 100_00, price: { monthly: 0, yearly: 0 } },
  professional: { rank: 1, monthlyCredits: 2000_00, price: { monthly: 299_00, yearly: 2990_00 } },
  enterprise: { rank: 2, monthlyCredits: 10000_00, price: { monthly: 999_00, yearly: 9990_00 } },
};

/** Hundredths → a number with two decimals, the way credits and money are presented. */
export function fromHundredths(value: number): number {
  return Math.round(value) / 100;
}

/** Adds calendar months in UTC, clamping to the end of shorter months (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  const target = new Date(
    Date.UTC(
      d.getUTCFullYear(),
      d.getUTCMonth() + months,
      1,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, lastDay));
  return target.getTime();
}

export function periodLengthMonths(cycle: BillingCycle): number {
  return cycle === "yearly" ? 12 : 1;
}
