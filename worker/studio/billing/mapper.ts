import { fromHundredths } from "../../core/billing/tiers";
import type { InvoiceRow } from "../../db/queries/invoices";
import { iso } from "../../platform/time";

/** An invoice as the studio API shows it: fen become ¥ with two decimals (the contract's shape). */
export function invoiceOut(i: InvoiceRow) {
  const payable = i.status === "open" || i.status === "uncollectible";
  return {
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
    status: i.status,
    issued_at: iso(i.issuedAt),
    due_at: iso(i.dueAt),
    paid_at: iso(i.paidAt),
    paid_via: i.paidVia,
    voided_at: iso(i.voidedAt),
    pay_url: payable ? i.hostedInvoiceUrl : null,
    hosted_invoice_url: i.hostedInvoiceUrl,
    details: i.details ?? {},
  };
}
