import { isGuardAbort } from "../../db/guard";
import { owedInvoices } from "../../db/queries/invoices";
import {
  subscriptionStateStatement,
  subscriptionsDueForRollover,
  subscriptionsWithStaleStanding,
} from "../../db/queries/subscriptions";
import { badRequest, conflict, notFound } from "../../platform/errors";
import { principalCache } from "../auth/principal-cache";
import type { AppContext } from "../context";
import { evaluateSubscription } from "./dunning";
import { addInvoices, invoicesUntil } from "./invoices";
import { BillingBatch, sendOutbox } from "./statements";
import {
  addMonths,
  type BillingCycle,
  fromHundredths,
  periodLengthMonths,
  TIER_PLANS,
  type Tier,
} from "./tiers";

/**
 * The user's subscription as of `ctx.now`. Quota months and dunning are evaluated here, where the
 * subscription is read, so a user never sees last month's usage, or a tier they lost or regained,
 * because a cron has not run yet.
 */
export async function currentSubscription(ctx: AppContext, userId: number) {
  return (await evaluateSubscription(ctx, userId)).sub;
}

export function quotaRemaining(sub: { quotaTotal: number; quotaUsed: number }): number {
  return fromHundredths(Math.max(0, sub.quotaTotal - sub.quotaUsed));
}

/**
 * An upgrade takes effect at once (billing in arrears): a higher tier (any cycle), or the same
 * tier from monthly to yearly. The quota of the current month rises to the new tier's credits
 * (what was used stays used), the running billing period ends now with a proration invoice for the
 * part of the old fee it covered, and a new billing period starts. Downgrades and no-op changes are
 * refused, and so is any change while an invoice is past due: pay it first.
 */
export async function upgradeSubscription(
  ctx: AppContext,
  userId: number,
  input: { tier: Tier; billing_cycle: BillingCycle },
) {
  const sub = await currentSubscription(ctx, userId);
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
  if (sub.status === "past_due") {
    const owed = (await owedInvoices(ctx.db, userId)).filter((i) => i.dueAt !== null && i.dueAt <= ctx.now);
    throw conflict(
      `Your account is past due: pay invoice${owed.length === 1 ? "" : "s"} ${owed.map((i) => i.id).join(", ")} before changing your plan`,
    );
  }
  const now = ctx.now;
  const closed = await invoicesUntil(ctx, sub, now, { prorate: true });
  const batch = new BillingBatch(ctx.db).guarded(
    subscriptionStateStatement(
      ctx.db,
      sub,
      {
        ...sub,
        tier: input.tier,
        billingCycle: input.billing_cycle,
        quotaTotal: to.monthlyCredits,
        billingPeriodStart: now,
        billingPeriodEnd: addMonths(now, periodLengthMonths(input.billing_cycle)),
      },
      { resetQuotaUsed: false, quotaAtLeast: true },
      now,
    ),
    `upgrade:${sub.id}`,
  );
  addInvoices(ctx, batch, closed.invoices);
  try {
    await sendOutbox(ctx, await batch.run());
  } catch (err) {
    if (isGuardAbort(err)) throw conflict("The subscription changed while upgrading; try again");
    throw err;
  }
  // The new tier's rate limit applies to the user's next request in this isolate (others: ≤ AUTH_CACHE_SECONDS).
  principalCache.evictUser(userId);
  return (await currentSubscription(ctx, userId)) ?? sub;
}

/**
 * Cron: brings up to date the subscriptions whose quota month ended and those whose standing no
 * longer matches their invoices (reads do both lazily too). Returns how many it looked at.
 */
export async function rollQuotaPeriods(ctx: AppContext, limit = 200): Promise<number> {
  const [due, stale] = await Promise.all([
    subscriptionsDueForRollover(ctx.db, ctx.now, limit),
    subscriptionsWithStaleStanding(ctx.db, ctx.now, limit),
  ]);
  const users = [...new Set([...due, ...stale].map((s) => s.userId))];
  for (const userId of users) await evaluateSubscription(ctx, userId);
  return users.length;
}
