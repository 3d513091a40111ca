import { currentSubscription, quotaRemaining, upgradeSubscription } from "../../core/billing/subscriptions";
import { fromHundredths, TIER_PLANS } from "../../core/billing/tiers";
import { usageReport } from "../../core/billing/usage";
import { listInvoices } from "../../db/queries/billing";
import { coreOf, principalOf } from "../../platform/context";
import { createRouter } from "../../platform/create-router";
import { notFound } from "../../platform/errors";
import { iso, isoDate } from "../../platform/time";
import * as routes from "./routes";

export const billingRouter = createRouter()
  .openapi(routes.mySubscription, async (c) => {
    const ctx = coreOf(c);
    const sub = await currentSubscription(ctx.db, principalOf(c).userId, ctx.now);
    if (!sub) throw notFound("Subscription");
    return c.json(
      {
        user_id: sub.userId,
        subscription_id: sub.id,
        tier: sub.tier,
        status: sub.status,
        quota_total: fromHundredths(sub.quotaTotal),
        quota_used: fromHundredths(sub.quotaUsed),
        quota_remaining: quotaRemaining(sub),
        billing_cycle: sub.billingCycle,
        quota_period_start: iso(sub.currentPeriodStart),
        quota_resets_at: iso(sub.currentPeriodEnd),
        billing_period_start: iso(sub.billingPeriodStart),
        next_billing_date: isoDate(sub.billingPeriodEnd),
        price: fromHundredths(TIER_PLANS[sub.tier].price[sub.billingCycle]),
        created_at: iso(sub.createdAt),
      },
      200,
    );
  })
  .openapi(routes.upgrade, async (c) => {
    const ctx = coreOf(c);
    const sub = await upgradeSubscription(ctx, principalOf(c).userId, c.req.valid("json"));
    return c.json(
      {
        subscription_id: sub.id,
        tier: sub.tier,
        billing_cycle: sub.billingCycle,
        status: sub.status,
        quota_total: fromHundredths(sub.quotaTotal),
        quota_remaining: quotaRemaining(sub),
        next_billing_date: isoDate(sub.billingPeriodEnd),
        message: "Subscription upgraded successfully",
      },
      200,
    );
  })
  .openapi(routes.usage, async (c) => {
    const ctx = coreOf(c);
    return c.json(await usageReport(ctx, principalOf(c).userId, c.req.valid("query")), 200);
  })
  .openapi(routes.invoices, async (c) => {
    const ctx = coreOf(c);
    const { total, items } = await listInvoices(ctx.db, principalOf(c).userId, c.req.valid("query"));
    return c.json(
      {
        total,
        items: items.map((i) => ({
          invoice_id: i.id,
          kind: i.kind as "period" | "proration",
          period: i.period,
          period_start: iso(i.periodStart),
          period_end: iso(i.periodEnd),
          amount: fromHundredths(i.amount),
          subscription_amount: fromHundredths(i.subscriptionAmount),
          storage_amount: fromHundredths(i.storageAmount),
          export_credits_used: fromHundredths(i.usageAmount),
          currency: i.currency,
          status: i.status as "open" | "paid",
          issued_at: iso(i.issuedAt),
          paid_at: iso(i.paidAt),
          details: i.details ?? {},
        })),
      },
      200,
    );
  });
