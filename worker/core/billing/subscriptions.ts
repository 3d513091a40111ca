import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../../db/client";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import { findSubscription, rollSubscriptionPeriod } from "../../db/queries/subscriptions";
import { rawAll, rawRun } from "../../db/raw";
import { badRequest, conflict, notFound } from "../../platform/errors";
import { principalCache } from "../auth/principal-cache";
import type { CoreContext } from "../context";
import { insertInvoiceStatement, periodCharges } from "./invoices";
import {
  addMonths,
  type BillingCycle,
  fromHundredths,
  periodLengthMonths,
  TIER_PLANS,
  type Tier,
} from "./tiers";

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

/**
 * An upgrade takes effect at once: a higher tier (any cycle), or the same tier from monthly to
 * yearly. The quota of the current month rises to the new tier's credits (what was used stays
 * used), the running billing period ends now with a proration invoice for the part of the old fee
 * it covered, and a new billing period starts. Downgrades and no-op changes are refused.
 */
export async function upgradeSubscription(
  ctx: CoreContext,
  userId: number,
  input: { tier: Tier; billing_cycle: BillingCycle },
) {
  const sub = await currentSubscription(ctx.db, userId, ctx.now);
  if (!sub) throw notFound("Subscription");
  const from = TIER_PLANS[sub.tier];
  const to = TIER_PLANS[input.tier];
  if (input.tier === sub.tier && input.billing_cycle === sub.billingCycle) {
    throw conflict(`You are already on ${sub.tier} (${sub.billingCycle})`);
  }
  if (input.tier === "free") {
    throw badRequest("The free tier is not an upgrade; downgrades are not supported");
  }
  if (to.rank < from.rank || (to.rank === from.rank && input.billing_cycle === "monthly")) {
    throw badRequest(
      `${input.tier} (${input.billing_cycle}) would be a downgrade from ${sub.tier} (${sub.billingCycle}); downgrades are not supported`,
    );
  }
  const now = ctx.now;
  const charges = await periodCharges(
    ctx,
    { userId, tier: sub.tier, billingCycle: sub.billingCycle },
    sub.billingPeriodStart,
    now,
    sub.billingPeriodEnd,
  );
  const statements: BatchItem<"sqlite">[] = [
    rawRun(
      ctx.db,
      sql`UPDATE subscriptions SET tier = ${input.tier}, billing_cycle = ${input.billing_cycle},
            quota_total = MAX(quota_total, ${to.monthlyCredits}), billing_period_start = ${now},
            billing_period_end = ${addMonths(now, periodLengthMonths(input.billing_cycle))}, updated_at = ${now}
          WHERE id = ${sub.id} AND tier = ${sub.tier} AND billing_cycle = ${sub.billingCycle}
            AND billing_period_start = ${sub.billingPeriodStart}`,
    ),
    abortUnlessChanged(ctx.db, `upgrade:${sub.id}`),
  ];
  if (now > sub.billingPeriodStart) {
    statements.push(insertInvoiceStatement(ctx, userId, "proration", sub.billingPeriodStart, now, charges));
  }
  try {
    await ctx.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (err) {
    if (isGuardAbort(err)) throw conflict("The subscription changed while upgrading; try again");
    throw err;
  }
  // The new tier's rate limit applies to the user's next request in this isolate (others: ≤ AUTH_CACHE_SECONDS).
  principalCache.evictUser(userId);
  return (await findSubscription(ctx.db, userId)) ?? sub;
}

/** Cron: moves subscriptions whose quota month ended into the current one (reads do it lazily too). */
export async function rollQuotaPeriods(ctx: CoreContext, limit = 200): Promise<number> {
  const due = await rawAll<{ user_id: number }>(
    ctx.db,
    sql`SELECT user_id FROM subscriptions WHERE current_period_end <= ${ctx.now} ORDER BY current_period_end LIMIT ${limit}`,
  );
  for (const s of due) await currentSubscription(ctx.db, s.user_id, ctx.now);
  return due.length;
}
