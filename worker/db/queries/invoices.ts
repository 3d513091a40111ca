import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll, rawRun } from "../raw";
import { type InvoiceStatus, invoices, type PAID_VIA } from "../schema";

export type InvoiceRow = typeof invoices.$inferSelect;

/** An invoice before it is written: amounts in fen, details without money. */
export interface NewInvoice {
  ownerId: number;
  kind: "period" | "proration";
  periodStart: number;
  periodEnd: number;
  subscriptionAmount: number;
  storageAmount: number;
  usageAmount: number;
  details: Record<string, unknown>;
  issuedAt: number;
  /** When it makes the account past due if unpaid; ignored for ¥0 invoices, which are paid at once. */
  dueAt: number;
}

/** Outbox kind of the job that brings an invoice's Stripe counterpart in line with it. */
export const INVOICE_SYNC_KIND = "stripe_invoice_sync";

/**
 * The insert of an invoice for a D1 batch. `(owner, kind, period_start)` is unique and a repeat is
 * a no-op, so two writers issuing the same invoice issue it once. ¥0 is paid when issued.
 */
export function insertInvoiceStatement(db: Database, inv: NewInvoice) {
  const amount = inv.subscriptionAmount + inv.storageAmount;
  const paid = amount === 0;
  return rawRun(
    db,
    sql`INSERT INTO invoices (owner_id, kind, period, period_start, period_end, subscription_amount, storage_amount,
          usage_amount, amount, currency, status, details, issued_at, due_at, paid_at, paid_via, amount_paid,
          created_at, updated_at)
        VALUES (${inv.ownerId}, ${inv.kind}, ${new Date(inv.periodStart).toISOString().slice(0, 7)},
          ${inv.periodStart}, ${inv.periodEnd}, ${inv.subscriptionAmount}, ${inv.storageAmount}, ${inv.usageAmount},
          ${amount}, 'CNY', ${paid ? "paid" : "open"}, ${JSON.stringify(inv.details)}, ${inv.issuedAt},
          ${paid ? null : inv.dueAt}, ${paid ? inv.issuedAt : null}, ${paid ? "nothing_due" : null},
          ${paid ? 0 : null}, ${inv.issuedAt}, ${inv.issuedAt})
        ON CONFLICT DO NOTHING`,
  );
}

/**
 * The outbox row that collects an invoice through Stripe, for the batch that issues it: written
 * only if the invoice is open and above ¥0, named by the invoice's unique key because its id is
 * not known inside the batch. The job decides at run time whether Stripe is configured.
 */
export function invoiceSyncOutboxStatement(
  db: Database,
  key: { ownerId: number; kind: string; periodStart: number },
  now: number,
  reason = "collect",
) {
  return rawAll<{ id: number }>(
    db,
    sql`INSERT INTO outbox (owner_id, kind, dedupe_key, payload, status, attempts, created_at, updated_at)
        SELECT owner_id, ${INVOICE_SYNC_KIND}, ${INVOICE_SYNC_KIND} || ':' || id || ':' || ${reason},
          json_object('invoice_id', id), 'pending', 0, ${now}, ${now}
        FROM invoices
        WHERE owner_id = ${key.ownerId} AND kind = ${key.kind} AND period_start = ${key.periodStart}
          AND status = 'open' AND amount > 0
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id`,
  );
}

/** The same for an invoice whose id is known (settled by hand, resumed after Stripe was configured). */
export function invoiceSyncByIdStatement(db: Database, invoiceId: number, reason: string, now: number) {
  return rawAll<{ id: number }>(
    db,
    sql`INSERT INTO outbox (owner_id, kind, dedupe_key, payload, status, attempts, created_at, updated_at)
        SELECT owner_id, ${INVOICE_SYNC_KIND}, ${INVOICE_SYNC_KIND} || ':' || id || ':' || ${reason},
          json_object('invoice_id', id), 'pending', 0, ${now}, ${now}
        FROM invoices WHERE id = ${invoiceId}
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id`,
  );
}

/**
 * Collection jobs to run again: those skipped while Stripe was not configured, for invoices still
 * open; and those the queue gave up on (dead after its retries, e.g. a Stripe outage longer than
 * the backoff), once an hour and for a bounded number of attempts, so a permanent failure (a total
 * that does not match) stops being retried.
 */
export async function resumableInvoiceSyncs(
  db: Database,
  now: number,
  opts: { limit: number; deadRetryAfterMs: number; maxAttempts: number },
) {
  return rawAll<{ id: number }>(
    db,
    sql`UPDATE outbox SET status = 'pending', updated_at = ${now}
        WHERE id IN (SELECT o.id FROM outbox o JOIN invoices i ON i.id = json_extract(o.payload, '$.invoice_id')
          WHERE o.kind = ${INVOICE_SYNC_KIND} AND (
            (o.status = 'skipped' AND i.status = 'open')
            OR (o.status = 'dead' AND o.updated_at < ${now - opts.deadRetryAfterMs} AND o.attempts < ${opts.maxAttempts}))
          ORDER BY o.id LIMIT ${opts.limit})
        RETURNING id`,
  );
}

/** Unpaid invoices above ¥0 of an owner, oldest due first: what dunning counts. */
export async function owedInvoices(db: Database, ownerId: number) {
  return db
    .select({ id: invoices.id, dueAt: invoices.dueAt })
    .from(invoices)
    .where(
      and(
        eq(invoices.ownerId, ownerId),
        inArray(invoices.status, ["open", "uncollectible"]),
        gt(invoices.amount, 0),
        isNotNull(invoices.dueAt),
      ),
    )
    .orderBy(asc(invoices.dueAt), asc(invoices.id));
}

/** An invoice by id, whoever owns it: for the collection job, the Stripe webhook and operators. */
export async function listInvoices(db: Database, ownerId: number, q: { skip: number; limit: number }) {
  const where = eq(invoices.ownerId, ownerId);
  const [rows, totals] = await db.batch([
    db
      .select()
      .from(invoices)
      .where(where)
      .orderBy(desc(invoices.periodStart), desc(invoices.id))
      .limit(q.limit)
      .offset(q.skip),
    db.select({ total: sql<number>`COUNT(*)` }).from(invoices).where(where),
  ]);
  return { total: totals[0]?.total ?? 0, items: rows };
}

export async function findInvoiceById(db: Database, id: number) {
  return db.query.invoices.findFirst({ where: eq(invoices.id, id) });
}

export async function findInvoiceByStripeId(db: Database, stripeInvoiceId: string) {
  return db.query.invoices.findFirst({ where: eq(invoices.stripeInvoiceId, stripeInvoiceId) });
}

/** Links an invoice to its Stripe invoice; the first link stays (a retry finds the same one). */
export async function linkStripeInvoice(db: Database, id: number, stripeInvoiceId: string, now: number) {
  await db
    .update(invoices)
    .set({ stripeInvoiceId, updatedAt: now })
    .where(and(eq(invoices.id, id), isNull(invoices.stripeInvoiceId)));
}

/** What Stripe last said about an invoice: its status and the page where it is paid. */
export async function recordStripeState(
  db: Database,
  id: number,
  state: { stripeStatus: string; hostedInvoiceUrl: string | null },
  now: number,
) {
  await db
    .update(invoices)
    .set({
      stripeStatus: state.stripeStatus,
      ...(state.hostedInvoiceUrl ? { hostedInvoiceUrl: state.hostedInvoiceUrl } : {}),
      updatedAt: now,
    })
    .where(eq(invoices.id, id));
}

/** Stripe's page of an invoice, learned from a webhook when the collection job never recorded it. */
export async function recordHostedUrlIfMissing(db: Database, id: number, url: string, now: number) {
  await db
    .update(invoices)
    .set({ hostedInvoiceUrl: url, updatedAt: now })
    .where(and(eq(invoices.id, id), isNull(invoices.hostedInvoiceUrl)));
}

export interface InvoiceTransition {
  id: number;
  from: InvoiceStatus;
  to: InvoiceStatus;
  at: number;
  paidVia?: (typeof PAID_VIA)[number];
  amountPaid?: number;
  paidReference?: string | null;
  stripeStatus?: string;
}

/**
 * Moves an invoice from the status it was read in to another, for a D1 batch: it matches no row
 * if the invoice moved meanwhile, which the caller's guard turns into an abort.
 */
export function invoiceTransitionStatement(db: Database, t: InvoiceTransition, now: number) {
  return db
    .update(invoices)
    .set({
      status: t.to,
      updatedAt: now,
      ...(t.to === "paid"
        ? {
            paidAt: t.at,
            paidVia: t.paidVia ?? "stripe",
            amountPaid: t.amountPaid ?? null,
            paidReference: t.paidReference ?? null,
          }
        : {}),
      ...(t.to === "void" ? { voidedAt: t.at } : {}),
      ...(t.stripeStatus ? { stripeStatus: t.stripeStatus } : {}),
    })
    .where(and(eq(invoices.id, t.id), eq(invoices.status, t.from)));
}
