import { exportUsage } from "../../db/queries/billing";
import {
  insertInvoiceStatement,
  invoiceSyncOutboxStatement,
  listInvoices,
  type NewInvoice,
} from "../../db/queries/invoices";
import type { SubscriptionRow } from "../../db/queries/subscriptions";
import type { AppContext } from "../context";
import { prorate } from "./money";
import type { BillingBatch } from "./statements";
import { DAY_MS, storageUsage } from "./storage";
import { addMonths, type BillingCycle, periodLengthMonths, TIER_PLANS, type Tier } from "./tiers";

/**
 * Invoices are issued in arrears, one per billing period (a month or a year from the subscription's
 * anniversary), once the period has ended: the plan's fee for the period plus storage
 * (¥10/GiB-month, from the daily snapshots). Export credits are the plan's allowance: the invoice
 * lists what they were worth (1 credit = ¥1) without charging them again. A plan change (upgrade,
 * dunning's move to free, the restore after payment) ends the running period with a `proration`
 * invoice for the part of the old fee it covered. `(owner, kind, period_start)` is unique, so
 * whoever issues an invoice twice issues it once. Every invoice above ¥0 is collected through an
 * outbox job (core/billing/collection.ts), written in the batch that issues it.
 */
export interface PeriodCharges {
  subscription: number;
  storage: number;
  exportCredits: number;
  details: Record<string, unknown>;
}

/** The plan a billing period is billed at, and that period. */
export type BilledPlan = Pick<
  SubscriptionRow,
  "userId" | "tier" | "billingCycle" | "billingPeriodStart" | "billingPeriodEnd"
>;

/** What [from, to) of a billing period that runs to `fullPeriodEnd` costs, in fen. */
export async function periodCharges(
  ctx: AppContext,
  plan: { userId: number; tier: Tier; billingCycle: BillingCycle },
  from: number,
  to: number,
  fullPeriodEnd: number,
): Promise<PeriodCharges> {
  const fee = TIER_PLANS[plan.tier].price[plan.billingCycle];
  const [storage, exports] = await Promise.all([
    storageUsage({ db: ctx.db, now: ctx.now }, plan.userId, from, to),
    exportUsage(ctx.db, plan.userId, from, to),
  ]);
  return {
    subscription: prorate(fee, to - from, fullPeriodEnd - from),
    storage: storage.cost,
    exportCredits: exports.credits,
    details: {
      tier: plan.tier,
      billing_cycle: plan.billingCycle,
      billed_ms: to - from,
      period_ms: fullPeriodEnd - from,
      storage_bytes_at_end: storage.bytes,
      video_exports: exports.count,
      video_seconds: exports.seconds,
      export_credits_note: "Included in the plan; listed at ¥1 per credit, not charged again",
    },
  };
}

/** The due date of an invoice issued at `issuedAt`: unpaid then, it makes its account past due. */
export function dueDate(ctx: AppContext, issuedAt: number): number {
  return issuedAt + ctx.config.billing.pastDueDays * DAY_MS;
}

async function invoiceFor(
  ctx: AppContext,
  plan: BilledPlan,
  kind: "period" | "proration",
  from: number,
  to: number,
  fullPeriodEnd: number,
): Promise<NewInvoice> {
  const c = await periodCharges(ctx, plan, from, to, fullPeriodEnd);
  return {
    ownerId: plan.userId,
    kind,
    periodStart: from,
    periodEnd: to,
    subscriptionAmount: c.subscription,
    storageAmount: c.storage,
    usageAmount: c.exportCredits,
    details: c.details,
    issuedAt: ctx.now,
    dueAt: dueDate(ctx, ctx.now),
  };
}

/**
 * The invoices of every billing period of `plan` that ended by `until` and, with `prorate`, a
 * proration invoice for the running period up to `until`, where the plan changes (the caller then
 * starts a new period under the new plan; `start` and `end` are both `until`). Without `prorate`,
 * `start`/`end` is the billing period that runs after the invoiced ones.
 */
export async function invoicesUntil(
  ctx: AppContext,
  plan: BilledPlan,
  until: number,
  opts: { prorate: boolean },
): Promise<{ invoices: NewInvoice[]; start: number; end: number }> {
  const months = periodLengthMonths(plan.billingCycle);
  const invoices: NewInvoice[] = [];
  let start = plan.billingPeriodStart;
  let end = plan.billingPeriodEnd;
  // A cron that was down for a while catches up; a bound keeps a corrupt row from looping forever.
  for (let i = 0; end <= until && i < 120; i++) {
    invoices.push(await invoiceFor(ctx, plan, "period", start, end, end));
    start = end;
    end = addMonths(end, months);
  }
  if (opts.prorate && until > start) {
    invoices.push(await invoiceFor(ctx, plan, "proration", start, until, end));
    return { invoices, start: until, end: until };
  }
  return { invoices, start, end };
}

/** Adds the inserts of `invoices` and of their collection jobs to a batch. */
export function addInvoices(ctx: AppContext, batch: BillingBatch, invoices: readonly NewInvoice[]) {
  for (const inv of invoices) {
    batch.add(insertInvoiceStatement(ctx.db, inv));
    batch.outbox(
      invoiceSyncOutboxStatement(
        ctx.db,
        { ownerId: inv.ownerId, kind: inv.kind, periodStart: inv.periodStart },
        ctx.now,
      ),
    );
  }
}

/** `GET /billing/invoices`: the owner's invoices, newest first. */
export function listOwnInvoices(ctx: AppContext, ownerId: number, q: { skip: number; limit: number }) {
  return listInvoices(ctx.db, ownerId, q);
}
