import { z } from "@hono/zod-openapi";
import {
  BILLING_CYCLES,
  BILLING_EVENT_KINDS,
  INVOICE_STATUSES,
  PAID_VIA,
  SUBSCRIPTION_STATUSES,
  TIERS,
} from "../../db/schema/billing";

export const SubscriptionSchema = z
  .object({
    user_id: z.number().int().openapi({ example: 1 }),
    subscription_id: z.number().int().openapi({ example: 1 }),
    tier: z.enum(TIERS).openapi({ example: "professional" }),
    status: z.enum(SUBSCRIPTION_STATUSES).openapi({
      example: "active",
      description: "`past_due`: an invoice is unpaid past its due date (see `past_due_since`)",
    }),
    quota_total: z.number().openapi({ example: 2000, description: "Credits of the current quota month" }),
    quota_used: z.number().openapi({ example: 1000, description: "Reserved or spent this month" }),
    quota_remaining: z.number().openapi({ example: 1000 }),
    billing_cycle: z.enum(BILLING_CYCLES).openapi({ example: "monthly" }),
    quota_period_start: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
    quota_resets_at: z.string().openapi({ example: "2026-03-08T10:00:00Z" }),
    billing_period_start: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
    next_billing_date: z
      .string()
      .openapi({ example: "2026-03-08", description: "When the running billing period is invoiced" }),
    price: z.number().openapi({ example: 299, description: "¥ per billing cycle" }),
    past_due_since: z.string().nullable().openapi({
      example: null,
      description: "The due date the account missed; null while nothing is past due",
    }),
    downgrade_at: z.string().nullable().openapi({
      example: null,
      description:
        "Past due on a paid tier: when the account moves to free unless the invoices are paid first",
    }),
    restores_to: z.enum(TIERS).nullable().openapi({
      example: null,
      description: "Moved to free by dunning: the tier that paying what is owed restores at once",
    }),
    created_at: z.string().openapi({ example: "2026-01-08T10:00:00Z" }),
  })
  .openapi("Subscription");

export const UpgradeBodySchema = z
  .object({
    tier: z.enum(TIERS).openapi({ example: "enterprise" }),
    billing_cycle: z.enum(BILLING_CYCLES).default("monthly").openapi({ example: "yearly" }),
  })
  .strict()
  .openapi("SubscriptionUpgrade");

export const UpgradedSchema = z
  .object({
    subscription_id: z.number().int().openapi({ example: 1 }),
    tier: z.enum(TIERS).openapi({ example: "enterprise" }),
    billing_cycle: z.enum(BILLING_CYCLES),
    status: z.string().openapi({ example: "active" }),
    quota_total: z.number(),
    quota_remaining: z.number(),
    next_billing_date: z.string(),
    message: z.string().openapi({ example: "Subscription upgraded successfully" }),
  })
  .openapi("SubscriptionUpgraded");

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "A date as YYYY-MM-DD")
  .optional()
  .openapi({ example: "2026-02-01" });

export const UsageQuerySchema = z.object({ start_date: Day, end_date: Day }).strict();

export const UsageSchema = z
  .object({
    user_id: z.number().int(),
    period: z.object({
      start: z.string().openapi({ example: "2026-02-01" }),
      end: z.string().openapi({ example: "2026-02-08" }),
    }),
    usage: z.object({
      video_exports: z.number().int().openapi({ example: 10, description: "Exports completed in the range" }),
      total_duration: z.number().openapi({ example: 1800, description: "Seconds of exported video" }),
      storage_used: z
        .number()
        .int()
        .openapi({ example: 1073741824, description: "Bytes in storage at the end" }),
      api_calls: z
        .number()
        .int()
        .openapi({ example: 5000, description: "Requests counted by the rate limiter" }),
    }),
    costs: z.object({
      video_exports: z.number().openapi({ example: 500.0, description: "Credits used (1 credit = ¥1)" }),
      storage: z.number().openapi({ example: 10.0, description: "¥10 per GiB-month, pro rata per day" }),
      total: z.number().openapi({ example: 510.0 }),
    }),
  })
  .openapi("Usage");

/** A page of invoices or of billing events. */
export const BillingPageQuerySchema = z
  .object({
    skip: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  })
  .strict();

export const InvoiceSchema = z
  .object({
    invoice_id: z.number().int().openapi({ example: 1 }),
    kind: z.enum(["period", "proration"]).openapi({ example: "period" }),
    period: z.string().openapi({ example: "2026-02" }),
    period_start: z.string().openapi({ example: "2026-02-01T00:00:00Z" }),
    period_end: z.string().openapi({ example: "2026-03-01T00:00:00Z" }),
    amount: z.number().openapi({ example: 510.0, description: "¥: subscription + storage" }),
    subscription_amount: z.number().openapi({ example: 500.0 }),
    storage_amount: z.number().openapi({ example: 10.0 }),
    export_credits_used: z
      .number()
      .openapi({ example: 320.5, description: "Included in the plan, not charged again" }),
    currency: z.string().openapi({ example: "CNY" }),
    status: z.enum(INVOICE_STATUSES).openapi({ example: "paid" }),
    issued_at: z.string().openapi({ example: "2026-03-01T00:00:00Z" }),
    due_at: z.string().nullable().openapi({
      example: "2026-03-08T00:00:00Z",
      description: "Unpaid then, the account is past due; null when nothing was due (¥0)",
    }),
    paid_at: z.string().nullable().openapi({ example: "2026-03-01T10:00:00Z" }),
    paid_via: z.enum(PAID_VIA).nullable().openapi({ example: "stripe" }),
    voided_at: z.string().nullable().openapi({ example: null }),
    pay_url: z
      .string()
      .nullable()
      .openapi({
        example: null,
        description:
          "Where to pay while the invoice is open: Stripe's hosted invoice page. Null once settled, before the " +
          "invoice reaches Stripe, and always on a deployment without Stripe keys (see docs/payments.md)",
      }),
    hosted_invoice_url: z.string().nullable().openapi({
      example: "https://invoice.stripe.com/i/acct_1Q2w3E4r/test_YWNjdF8x",
      description:
        "Stripe's page of this invoice (also after payment, as a receipt); null if never sent to Stripe",
    }),
    details: z.record(z.string(), z.unknown()).openapi({
      example: { tier: "professional", billing_cycle: "monthly", video_exports: 10, video_seconds: 1800 },
    }),
  })
  .openapi("Invoice");

export const InvoicesSchema = z
  .object({ total: z.number().int().openapi({ example: 3 }), items: z.array(InvoiceSchema) })
  .openapi("Invoices");

export const BillingEventsSchema = z
  .object({
    total: z.number().int().openapi({ example: 1 }),
    items: z.array(
      z.object({
        id: z.number().int().openapi({ example: 1 }),
        type: z.enum(BILLING_EVENT_KINDS).openapi({ example: "subscription.past_due" }),
        occurred_at: z.string().openapi({ example: "2026-03-08T00:00:00Z" }),
        data: z.record(z.string(), z.unknown()).openapi({
          example: { invoice_ids: [3], tier: "enterprise", downgrade_at: "2026-03-25T10:00:00.000Z" },
        }),
      }),
    ),
  })
  .openapi("BillingEvents");
