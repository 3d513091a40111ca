import { listOwnInvoices } from "../../core/billing/invoices";
import { listOwnBillingEvents } from "../../core/billing/payments";
import { currentSubscription, quotaRemaining, upgradeSubscription } from "../../core/billing/subscriptions";
import { fromHundredths, TIER_PLANS } from "../../core/billing/tiers";
import { usageReport } from "../../core/billing/usage";
import { notFound } from "../../platform/errors";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { iso, isoDate } from "../../platform/time";
import { invoiceOut } from "./mapper";
import * as routes from "./routes";

export const billingRouter = createRouter()
  .openapi(routes.mySubscription, async (c) => {
    const ctx = contextOf(c);
    const sub = await currentSubscription(ctx, principalOf(c).userId);
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
        past_due_since: iso(sub.pastDueAt),
        downgrade_at: sub.status === "past_due" && sub.tier !== "free" ? iso(sub.currentPeriodEnd) : null,
        restores_to: sub.restoreTier,
        created_at: iso(sub.createdAt),
      },
      200,
    );
  })
  .openapi(routes.upgrade, async (c) => {
    const ctx = contextOf(c);
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
    const ctx = contextOf(c);
    return c.json(await usageReport(ctx, principalOf(c).userId, c.req.valid("query")), 200);
  })
  .openapi(routes.invoices, async (c) => {
    const ctx = contextOf(c);
    const { total, items } = await listOwnInvoices(ctx, principalOf(c).userId, c.req.valid("query"));
    return c.json({ total, items: items.map(invoiceOut) }, 200);
  })
  .openapi(routes.events, async (c) => {
    const ctx = contextOf(c);
    const { total, items } = await listOwnBillingEvents(ctx, principalOf(c).userId, c.req.valid("query"));
    return c.json(
      {
        total,
        items: items.map((e) => ({ id: e.id, type: e.kind, occurred_at: iso(e.occurredAt), data: e.data })),
      },
      200,
    );
  });
