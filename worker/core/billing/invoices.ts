import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import { exportUsage } from "../../db/queries/billing";
import { rawAll, rawRun } from "../../db/raw";
import type { CoreContext } from "../context";
import { storageUsage } from "./storage";
import { addMonths, type BillingCycle, periodLengthMonths, TIER_PLANS, type Tier } from "./tiers";

/**
 * Invoices are issued in arrears, one per billing period (a month or a year from the subscription's
 * anniversary), by the cron once the period has ended: the plan's fee for the period plus storage
 * (¥10/GiB-month). Export credits are the plan's allowance: the invoice lists what they were worth
 * (1 credit = ¥1) without charging them again. An upgrade ends the period early with a `proration`
 * invoice (the old fee for the part of the period that was used) and starts a new one.
 * `(owner, kind, period_start)` is unique, so a second run of the cron issues nothing twice.
 */
export interface PeriodCharges {
  subscription: number;
  storage: number;
  exportCredits: number;
  details: Record<string, unknown>;
}

export async function periodCharges(
  ctx: CoreContext,
  sub: { userId: number; tier: Tier; billingCycle: BillingCycle },
  from: number,
  to: number,
  fullPeriodEnd: number,
): Promise<PeriodCharges> {
  const fee = TIER_PLANS[sub.tier].price[sub.billingCycle];
  const fraction = Math.min(1, Math.max(0, (to - from) / (fullPeriodEnd - from)));
  const storage = await storageUsage(ctx, sub.userId, from, to);
  const exports = await exportUsage(ctx.db, sub.userId, from, to);
  const subscription = Math.round(fee * fraction);
  return {
    subscription,
    storage: storage.cost,
    exportCredits: exports.credits,
    details: {
      tier: sub.tier,
      billing_cycle: sub.billingCycle,
      subscription_fee: subscription / 100,
      fraction_of_period: Math.round(fraction * 10_000) / 10_000,
      storage_bytes_at_end: storage.bytes,
      storage: storage.cost / 100,
      video_exports: exports.count,
      video_seconds: exports.seconds,
      export_credits_used: exports.credits / 100,
      export_credits_note: "Included in the plan; listed at ¥1 per credit, not charged again",
    },
  };
}

export function insertInvoiceStatement(
  ctx: CoreContext,
  ownerId: number,
  kind: "period" | "proration",
  from: number,
  to: number,
  c: PeriodCharges,
) {
  const amount = c.subscription + c.storage;
  const period = new Date(from).toISOString().slice(0, 7);
  return rawRun(
    ctx.db,
    sql`INSERT INTO invoices (owner_id, kind, period, period_start, period_end, subscription_amount, storage_amount,
          usage_amount, amount, currency, status, details, issued_at, paid_at, created_at, updated_at)
        VALUES (${ownerId}, ${kind}, ${period}, ${from}, ${to}, ${c.subscription}, ${c.storage}, ${c.exportCredits},
          ${amount}, 'CNY', ${amount === 0 ? "paid" : "open"}, ${JSON.stringify(c.details)}, ${ctx.now},
          ${amount === 0 ? ctx.now : null}, ${ctx.now}, ${ctx.now})
        ON CONFLICT DO NOTHING`,
  );
}

interface DueSubscription {
  id: number;
  user_id: number;
  tier: Tier;
  billing_cycle: BillingCycle;
  billing_period_start: number;
  billing_period_end: number;
}

/** Invoices every billing period that has ended; returns how many were issued. */
export async function issueDueInvoices(ctx: CoreContext, limit = 50): Promise<number> {
  let issued = 0;
  // A cron that was down for a while catches up one period per subscription per pass.
  for (let pass = 0; pass < 24; pass++) {
    const due = await rawAll<DueSubscription>(
      ctx.db,
      sql`SELECT id, user_id, tier, billing_cycle, billing_period_start, billing_period_end FROM subscriptions
          WHERE billing_period_end <= ${ctx.now} ORDER BY billing_period_end LIMIT ${limit}`,
    );
    if (due.length === 0) break;
    for (const s of due) {
      const charges = await periodCharges(
        ctx,
        { userId: s.user_id, tier: s.tier, billingCycle: s.billing_cycle },
        s.billing_period_start,
        s.billing_period_end,
        s.billing_period_end,
      );
      const next = addMonths(s.billing_period_end, periodLengthMonths(s.billing_cycle));
      const statements: BatchItem<"sqlite">[] = [
        rawRun(
          ctx.db,
          sql`UPDATE subscriptions SET billing_period_start = ${s.billing_period_end}, billing_period_end = ${next},
                updated_at = ${ctx.now}
              WHERE id = ${s.id} AND billing_period_end = ${s.billing_period_end}`,
        ),
        abortUnlessChanged(ctx.db, `invoice:${s.id}`),
        insertInvoiceStatement(
          ctx,
          s.user_id,
          "period",
          s.billing_period_start,
          s.billing_period_end,
          charges,
        ),
      ];
      try {
        await ctx.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
        issued++;
      } catch (err) {
        // Another run moved this subscription on first: its invoice is theirs.
        if (!isGuardAbort(err)) throw err;
      }
    }
  }
  return issued;
}
