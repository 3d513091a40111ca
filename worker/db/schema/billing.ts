import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ms, timestamps } from "./columns";
import { users } from "./studio";

export const TIERS = ["free", "professional", "enterprise"] as const;
export const BILLING_CYCLES = ["monthly", "yearly"] as const;
/** `past_due`: an invoice is unpaid past its due date (core/billing/dunning.ts). */
export const SUBSCRIPTION_STATUSES = ["active", "past_due"] as const;

/**
 * One subscription per user. Credits are integer hundredths. The CHECK makes an over-reservation
 * raise inside a D1 batch, which rolls the whole batch back (a guarded UPDATE that matches no row
 * would not).
 */
export const subscriptions = sqliteTable(
  "subscriptions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .unique()
      .references(() => users.id),
    tier: text("tier").$type<(typeof TIERS)[number]>().notNull(),
    status: text("status").$type<(typeof SUBSCRIPTION_STATUSES)[number]>().notNull(),
    billingCycle: text("billing_cycle").$type<(typeof BILLING_CYCLES)[number]>().notNull(),
    quotaTotal: integer("quota_total").notNull(),
    quotaUsed: integer("quota_used").notNull().default(0),
    /** The quota period (a month from the anniversary): credits reset at its end. */
    currentPeriodStart: ms("current_period_start").notNull(),
    currentPeriodEnd: ms("current_period_end").notNull(),
    /** The billing period (a month or a year from the anniversary): invoiced at its end. */
    billingPeriodStart: ms("billing_period_start").notNull(),
    billingPeriodEnd: ms("billing_period_end").notNull(),
    /** When an invoice first went unpaid past its due date; null while nothing is past due. */
    pastDueAt: ms("past_due_at"),
    /** Set when dunning moved the account to free: the plan that paying what is owed restores. */
    restoreTier: text("restore_tier").$type<(typeof TIERS)[number]>(),
    restoreCycle: text("restore_cycle").$type<(typeof BILLING_CYCLES)[number]>(),
    downgradedAt: ms("downgraded_at"),
    ...timestamps,
  },
  (t) => [
    check("subscriptions_quota_within_total", sql`${t.quotaUsed} >= 0 AND ${t.quotaUsed} <= ${t.quotaTotal}`),
    index("subscriptions_period_end_idx").on(t.currentPeriodEnd),
    index("subscriptions_billing_end_idx").on(t.billingPeriodEnd),
    // The cron's dunning sweep finds past-due accounts without scanning the table.
    index("subscriptions_status_idx").on(t.status),
  ],
);

export const CREDIT_ENTRY_KINDS = ["grant", "reserve", "commit", "refund", "reset", "adjust"] as const;

/** Every movement of credits; one reserve, and at most one commit or refund, per export. */
export const creditLedger = sqliteTable(
  "credit_ledger",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    kind: text("kind").$type<(typeof CREDIT_ENTRY_KINDS)[number]>().notNull(),
    /** Hundredths of a credit. */
    amount: integer("amount").notNull(),
    exportId: integer("export_id"),
    /** A workflow's reservation of its quote (`reserve`) and the return of what was left (`refund`). */
    workflowId: integer("workflow_id"),
    /** One generation call: `commit` when it succeeded, `refund` when it failed, never both. */
    generationJobId: integer("generation_job_id"),
    description: text("description"),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [
    index("credit_ledger_owner_idx").on(t.ownerId, t.createdAt),
    uniqueIndex("credit_ledger_export_kind_unique")
      .on(t.exportId, t.kind)
      .where(sql`${t.exportId} IS NOT NULL`),
    // An export is settled once: committed or refunded, never both.
    uniqueIndex("credit_ledger_settlement_unique")
      .on(t.exportId)
      .where(sql`${t.exportId} IS NOT NULL AND ${t.kind} IN ('commit', 'refund')`),
    // A workflow's own lines (its quote's reserve, the return of what was left) once each; the
    // lines of its generation jobs carry the workflow too, and are unique per job instead.
    uniqueIndex("credit_ledger_workflow_kind_unique")
      .on(t.workflowId, t.kind)
      .where(sql`${t.workflowId} IS NOT NULL AND ${t.generationJobId} IS NULL`),
    uniqueIndex("credit_ledger_generation_kind_unique")
      .on(t.generationJobId, t.kind)
      .where(sql`${t.generationJobId} IS NOT NULL`),
    uniqueIndex("credit_ledger_generation_settlement_unique")
      .on(t.generationJobId)
      .where(sql`${t.generationJobId} IS NOT NULL AND ${t.kind} IN ('commit', 'refund')`),
  ],
);

export const USAGE_KINDS = ["video_export", "video_ms", "storage_bytes", "api_calls", "generation"] as const;

/** Metering ledger: real events, each recorded once (`ref` deduplicates redeliveries). */
export const usageEvents = sqliteTable(
  "usage_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    kind: text("kind").$type<(typeof USAGE_KINDS)[number]>().notNull(),
    quantity: integer("quantity").notNull(),
    ref: text("ref").notNull(),
    occurredAt: ms("occurred_at").notNull(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("usage_events_ref_unique").on(t.ownerId, t.kind, t.ref),
    index("usage_events_owner_kind_idx").on(t.ownerId, t.kind, t.occurredAt),
  ],
);

export const INVOICE_STATUSES = ["open", "paid", "void", "uncollectible"] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];
/** How a paid invoice was settled: nothing to pay (¥0), through Stripe, or by an operator. */
export const PAID_VIA = ["nothing_due", "stripe", "manual"] as const;

export const invoices = sqliteTable(
  "invoices",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    /** `period` (one per billing period) or `proration` (the plan changed mid-period). */
    kind: text("kind").notNull(),
    /** `YYYY-MM` of the period start. */
    period: text("period").notNull(),
    periodStart: ms("period_start").notNull(),
    periodEnd: ms("period_end").notNull(),
    /** All amounts are integer fen (hundredths of ¥; 1 credit = ¥1), never floats. */
    subscriptionAmount: integer("subscription_amount").notNull(),
    storageAmount: integer("storage_amount").notNull(),
    usageAmount: integer("usage_amount").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull().default("CNY"),
    status: text("status").$type<InvoiceStatus>().notNull(),
    /** Facts behind the amounts (tier, durations, bytes, exports); no money, which lives in the columns. */
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    issuedAt: ms("issued_at").notNull(),
    /** Unpaid at this moment, the invoice makes its account past due. Null when nothing was due. */
    dueAt: ms("due_at"),
    paidAt: ms("paid_at"),
    paidVia: text("paid_via").$type<(typeof PAID_VIA)[number]>(),
    /** Fen Stripe (or the operator) reported as paid. */
    amountPaid: integer("amount_paid"),
    /** An operator's note when marked paid by hand (bank transfer reference, ...). */
    paidReference: text("paid_reference"),
    voidedAt: ms("voided_at"),
    stripeInvoiceId: text("stripe_invoice_id"),
    /** Stripe's hosted invoice page, where the customer pays. */
    hostedInvoiceUrl: text("hosted_invoice_url"),
    /** The Stripe invoice's own status as last seen (draft, open, paid, void, uncollectible). */
    stripeStatus: text("stripe_status"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("invoices_period_unique").on(t.ownerId, t.kind, t.periodStart),
    index("invoices_owner_idx").on(t.ownerId, t.issuedAt),
    index("invoices_owner_status_idx").on(t.ownerId, t.status, t.dueAt),
    // The cron's dunning sweep: unpaid invoices by due date, whoever owns them.
    index("invoices_status_due_idx").on(t.status, t.dueAt),
    uniqueIndex("invoices_stripe_invoice_unique")
      .on(t.stripeInvoiceId)
      .where(sql`${t.stripeInvoiceId} IS NOT NULL`),
  ],
);

/** One Stripe customer per user, created the first time one of their invoices is collected. */
export const stripeCustomers = sqliteTable("stripe_customers", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => users.id),
  customerId: text("customer_id").notNull().unique(),
  createdAt: ms("created_at").notNull(),
});

/**
 * Stripe webhook events already applied, by event id: the row is written in the same D1 batch as
 * the event's effect, so a redelivered or replayed event finds its id taken and changes nothing.
 */
export const stripeEvents = sqliteTable(
  "stripe_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    invoiceId: integer("invoice_id"),
    /** What applying it did: `applied`, `ignored` (out of order, or no change), `unknown_invoice`. */
    outcome: text("outcome").notNull(),
    receivedAt: ms("received_at").notNull(),
  },
  (t) => [index("stripe_events_received_idx").on(t.receivedAt)],
);

export const BILLING_EVENT_KINDS = [
  "subscription.past_due",
  "subscription.downgraded",
  "subscription.restored",
] as const;

/** What happened to an account's plan because of its invoices, for `GET /api/v1/billing/events`. */
export const billingEvents = sqliteTable(
  "billing_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    kind: text("kind").$type<(typeof BILLING_EVENT_KINDS)[number]>().notNull(),
    /** Deduplicates one occurrence (several readers evaluating dunning at once record it once). */
    ref: text("ref").notNull(),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    /** When it took effect (a due date, a period boundary, a payment), not when it was noticed. */
    occurredAt: ms("occurred_at").notNull(),
    createdAt: ms("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("billing_events_ref_unique").on(t.ownerId, t.kind, t.ref),
    index("billing_events_owner_idx").on(t.ownerId, t.occurredAt),
  ],
);
