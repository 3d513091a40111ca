import type { Database } from "../../db/client";
import { findSubscription, rollSubscriptionPeriod } from "../../db/queries/subscriptions";
import { addMonths, fromHundredths, TIER_PLANS } from "./tiers";

/**
 * The user's subscription as of `now`. Quota periods are evaluated lazily here, where they are
 * read, so a user never sees last period's usage because a cron has not run yet.
 */
export async function currentSubscription(db: Database, userId: number, now: number) {
  const sub = await findSubscription(db, userId);
  if (!sub) return undefined;
  if (now < sub.currentPeriodEnd) return sub;
  let start = sub.currentPeriodEnd;
  let end = addMonths(start, 1);
  while (end <= now) {
    start = end;
    end = addMonths(start, 1);
  }
  const rolled = await rollSubscriptionPeriod(db, {
    id: sub.id,
    fromPeriodEnd: sub.currentPeriodEnd,
    periodStart: start,
    periodEnd: end,
    quotaTotal: TIER_PLANS[sub.tier].monthlyCredits,
    now,
  });
  return rolled ?? (await findSubscription(db, userId));
}

export function quotaRemaining(sub: { quotaTotal: number; quotaUsed: number }): number {
  return fromHundredths(Math.max(0, sub.quotaTotal - sub.quotaUsed));
}
