import { isGuardAbort } from "../../db/guard";
import { owedInvoices } from "../../db/queries/invoices";
import { billingEventStatement } from "../../db/queries/payments";
import {
  findSubscription,
  type SubscriptionRow,
  type SubscriptionState,
  subscriptionStateStatement,
} from "../../db/queries/subscriptions";
import { principalCache } from "../auth/principal-cache";
import type { AppContext } from "../context";
import { addInvoices, invoicesUntil } from "./invoices";
import { BillingBatch, sendOutbox } from "./statements";
import { addMonths, periodLengthMonths, TIER_PLANS } from "./tiers";

/**
 * A subscription's standing, evaluated lazily wherever it is read (and by the cron), from its
 * invoices and the clock:
 *
 * - the quota month rolls over at each monthly anniversary (credits reset);
 * - an invoice above ¥0 still unpaid at its due date makes the account `past_due`
 *   (`subscription.past_due`); the tier is kept until the next quota boundary, where the account
 *   moves to free (`subscription.downgraded`): the paid plan is billed up to there and a free
 *   billing period starts;
 * - once nothing is past due (paid, or voided), the account is `active` again and a plan lost to
 *   dunning is restored at once (`subscription.restored`), billed from that moment.
 *
 * Every change is one guarded D1 batch, so readers evaluating at once apply it once; events carry
 * the moment they took effect, not the moment they were noticed.
 */
export interface Standing {
  /** The quota month to move to. */
  roll?: { start: number; end: number };
  /** The quota boundary where the account moves to free. */
  downgradeAt?: number;
  /** The account turns past due; the first due date it missed. */
  pastDueSince?: number;
  /** Nothing is past due any more. */
  restore?: boolean;
}

type Owed = { id: number; dueAt: number | null }[];

/** What the subscription's standing should become at `now`; `undefined` when it is current. */
export function planStanding(sub: SubscriptionRow, owed: Owed, now: number): Standing | undefined {
  const firstDue = owed[0]?.dueAt ?? null;
  const pastDue = firstDue !== null && firstDue <= now;
  const standing: Standing = {};
  if (now >= sub.currentPeriodEnd) {
    let boundary = sub.currentPeriodEnd;
    for (;;) {
      if (standing.downgradeAt === undefined && pastDue && sub.tier !== "free" && boundary >= firstDue) {
        standing.downgradeAt = boundary;
      }
      const next = addMonths(boundary, 1);
      if (next > now) break;
      boundary = next;
    }
    standing.roll = { start: boundary, end: addMonths(boundary, 1) };
  }
  if (pastDue && sub.status === "active") standing.pastDueSince = firstDue;
  if (!pastDue && sub.status === "past_due") standing.restore = true;
  return Object.keys(standing).length > 0 ? standing : undefined;
}

function stateOf(sub: SubscriptionRow): SubscriptionState {
  const {
    tier,
    status,
    billingCycle,
    quotaTotal,
    currentPeriodStart,
    currentPeriodEnd,
    billingPeriodStart,
    billingPeriodEnd,
    pastDueAt,
    restoreTier,
    restoreCycle,
    downgradedAt,
  } = sub;
  return {
    tier,
    status,
    billingCycle,
    quotaTotal,
    currentPeriodStart,
    currentPeriodEnd,
    billingPeriodStart,
    billingPeriodEnd,
    pastDueAt,
    restoreTier,
    restoreCycle,
    downgradedAt,
  };
}

async function applyStanding(ctx: AppContext, sub: SubscriptionRow, s: Standing, owed: Owed) {
  const batch = new BillingBatch(ctx.db);
  const events: Parameters<typeof billingEventStatement>[1][] = [];
  const next = stateOf(sub);
  const pastDueIds = owed.filter((o) => o.dueAt !== null && o.dueAt <= ctx.now).map((o) => o.id);
  let invoices: Awaited<ReturnType<typeof invoicesUntil>>["invoices"] = [];

  if (s.downgradeAt !== undefined) {
    const at = s.downgradeAt;
    const closed = await invoicesUntil(ctx, sub, at, { prorate: true });
    invoices = closed.invoices;
    Object.assign(next, {
      tier: "free",
      billingCycle: "monthly",
      restoreTier: sub.tier,
      restoreCycle: sub.billingCycle,
      downgradedAt: at,
      billingPeriodStart: at,
      billingPeriodEnd: addMonths(at, 1),
    } satisfies Partial<SubscriptionState>);
    events.push({
      ownerId: sub.userId,
      kind: "subscription.downgraded",
      ref: `at:${at}`,
      data: {
        from_tier: sub.tier,
        from_billing_cycle: sub.billingCycle,
        tier: "free",
        invoice_ids: pastDueIds,
      },
      occurredAt: at,
    });
  }
  if (s.roll) {
    next.currentPeriodStart = s.roll.start;
    next.currentPeriodEnd = s.roll.end;
    next.quotaTotal = TIER_PLANS[next.tier].monthlyCredits;
  }
  if (s.pastDueSince !== undefined) {
    next.status = "past_due";
    next.pastDueAt = s.pastDueSince;
    events.push({
      ownerId: sub.userId,
      kind: "subscription.past_due",
      ref: `since:${s.pastDueSince}`,
      data: {
        invoice_ids: pastDueIds,
        tier: next.tier,
        // The account keeps its tier until this quota boundary, unless paid before.
        downgrade_at: next.tier === "free" ? null : new Date(next.currentPeriodEnd).toISOString(),
      },
      occurredAt: s.pastDueSince,
    });
  }
  let quotaAtLeast = false;
  if (s.restore) {
    if (next.restoreTier && next.restoreCycle && next.tier === "free") {
      // The free period since the downgrade ends now; the restored plan is billed from now.
      const closed = await invoicesUntil(ctx, { ...sub, ...next }, ctx.now, { prorate: true });
      invoices = [...invoices, ...closed.invoices];
      next.tier = next.restoreTier;
      next.billingCycle = next.restoreCycle;
      next.billingPeriodStart = ctx.now;
      next.billingPeriodEnd = addMonths(ctx.now, periodLengthMonths(next.restoreCycle));
      next.quotaTotal = TIER_PLANS[next.tier].monthlyCredits;
      // Within a quota month already under way, credits rise to the plan's; what was used stays used.
      quotaAtLeast = !s.roll;
    }
    events.push({
      ownerId: sub.userId,
      kind: "subscription.restored",
      ref: `since:${sub.pastDueAt ?? 0}`,
      data: { tier: next.tier, billing_cycle: next.billingCycle },
      occurredAt: ctx.now,
    });
    Object.assign(next, {
      status: "active",
      pastDueAt: null,
      restoreTier: null,
      restoreCycle: null,
      downgradedAt: null,
    });
  }

  batch.guarded(
    subscriptionStateStatement(ctx.db, sub, next, { resetQuotaUsed: !!s.roll, quotaAtLeast }, ctx.now),
    `standing:${sub.id}`,
  );
  addInvoices(ctx, batch, invoices);
  for (const e of events) batch.add(billingEventStatement(ctx.db, e, ctx.now));
  const outboxIds = await batch.run();
  // A changed tier changes the rate limit: the next request of this user in this isolate sees it.
  if (next.tier !== sub.tier) principalCache.evictUser(sub.userId);
  return outboxIds;
}

/**
 * Brings a user's subscription up to date at `ctx.now` and returns it. Losing a race to another
 * reader is not an error: the winner applied the same change, so the row is read again.
 */
export async function evaluateSubscription(
  ctx: AppContext,
  userId: number,
): Promise<{ sub: SubscriptionRow | undefined; outboxIds: number[] }> {
  for (let attempt = 0; attempt < 4; attempt++) {
    const sub = await findSubscription(ctx.db, userId);
    if (!sub) return { sub: undefined, outboxIds: [] };
    const owed = await owedInvoices(ctx.db, userId);
    const standing = planStanding(sub, owed, ctx.now);
    if (!standing) return { sub, outboxIds: [] };
    try {
      const outboxIds = await applyStanding(ctx, sub, standing, owed);
      await sendOutbox(ctx, outboxIds);
      return { sub: await findSubscription(ctx.db, userId), outboxIds };
    } catch (err) {
      if (!isGuardAbort(err)) throw err;
    }
  }
  return { sub: await findSubscription(ctx.db, userId), outboxIds: [] };
}
