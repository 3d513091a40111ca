import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ms, timestamps } from "./columns";
import { users } from "./studio";

export const TIERS = ["free", "professional", "enterprise"] as const;
export const BILLING_CYCLES = ["monthly", "yearly"] as const;

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
    status: text("status").notNull(),
    billingCycle: text("billing_cycle").$type<(typeof BILLING_CYCLES)[number]>().notNull(),
    quotaTotal: integer("quota_total").notNull(),
    quotaUsed: integer("quota_used").notNull().default(0),
    /** The quota period (a month from the anniversary): credits reset at its end. */
    currentPeriodStart: ms("current_period_start").notNull(),
    currentPeriodEnd: ms("current_period_end").notNull(),
    /** The billing period (a month or a year from the anniversary): invoiced at its end. */
    billingPeriodStart: ms("billing_period_start").notNull(),
    billingPeriodEnd: ms("billing_period_end").notNull(),
    ...timestamps,
  },
  (t) => [
    check("subscriptions_quota_within_total", sql`${t.quotaUsed} >= 0 AND ${t.quotaUsed} <= ${t.quotaTotal}`),
    index("subscriptions_period_end_idx").on(t.currentPeriodEnd),
    index("subscriptions_billing_end_idx").on(t.billingPeriodEnd),
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
  ],
);

export const USAGE_KINDS = ["video_export", "video_ms", "storage_bytes", "api_calls"] as const;

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

export const invoices = sqliteTable(
  "invoices",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    ownerId: integer("owner_id").notNull(),
    /** `period` (one per billing period) or `proration` (an upgrade mid-period). */
    kind: text("kind").notNull(),
    /** `YYYY-MM` of the period start. */
    period: text("period").notNull(),
    periodStart: ms("period_start").notNull(),
    periodEnd: ms("period_end").notNull(),
    /** All amounts in hundredths of ¥ (1 credit = ¥1). */
    subscriptionAmount: integer("subscription_amount").notNull(),
    storageAmount: integer("storage_amount").notNull(),
    usageAmount: integer("usage_amount").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull().default("CNY"),
    status: text("status").notNull(),
    details: text("details", { mode: "json" }).$type<Record<string, unknown>>(),
    issuedAt: ms("issued_at").notNull(),
    paidAt: ms("paid_at"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("invoices_period_unique").on(t.ownerId, t.kind, t.periodStart),
    index("invoices_owner_idx").on(t.ownerId, t.issuedAt),
  ],
);
