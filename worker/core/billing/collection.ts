import {
  findInvoiceById,
  type InvoiceRow,
  linkStripeInvoice,
  recordStripeState,
  resumableInvoiceSyncs,
} from "../../db/queries/invoices";
import { findBillingContact, saveStripeCustomer } from "../../db/queries/payments";
import { type StripeGateway, type StripeInvoiceView, stripeGateway } from "../../payments/stripe";
import type { AppContext } from "../context";
import { enqueueOutbox } from "../outbox";
import { fromHundredths } from "./tiers";

/**
 * Collecting an invoice through Stripe: the outbox job `stripe_invoice_sync` brings the invoice's
 * Stripe counterpart in line with ours. For an open invoice: the user's Stripe customer (created
 * once), a draft invoice with one line per charge, finalized so Stripe hosts the page where it is
 * paid (`hosted_invoice_url`). For one an operator marked paid: the Stripe invoice is marked paid
 * out of band, so Stripe stops asking. Stripe's answers (and its webhook, core/billing/
 * stripe-events.ts) never decide what we charge: the amounts are ours, and the job refuses to
 * finalize a Stripe invoice whose total differs from ours by a single fen.
 *
 * The job may run more than once (queue redelivery, a retry after a failure part-way): every step
 * first looks at what exists — our recorded ids, then Stripe's invoice and its lines — and every
 * write carries an idempotency key of our invoice id, so a run that died after Stripe answered
 * creates nothing twice.
 */
export type SyncOutcome = "synced" | "skipped";

function lines(inv: InvoiceRow) {
  const period = `${new Date(inv.periodStart).toISOString().slice(0, 10)} – ${new Date(inv.periodEnd)
    .toISOString()
    .slice(0, 10)}`;
  const tier = String(inv.details?.tier ?? "plan");
  return [
    {
      key: "subscription",
      amount: inv.subscriptionAmount,
      description: `Short Drama Studio ${tier}, ${period}`,
    },
    { key: "storage", amount: inv.storageAmount, description: `Storage, ${period} (¥10 per GiB-month)` },
  ].filter((l) => l.amount > 0);
}

async function ensureCustomer(ctx: AppContext, stripe: StripeGateway, userId: number, retry: boolean) {
  const contact = await findBillingContact(ctx.db, userId);
  if (!contact) throw new Error(`user ${userId} of an invoice does not exist`);
  if (contact.customerId) return contact.customerId;
  // A first attempt's key may have expired (24 h) before this retry: look before creating.
  const found = retry ? await stripe.findCustomer(userId, contact.email) : null;
  const id = found ?? (await stripe.createCustomer(userId, { email: contact.email, name: contact.username }));
  return saveStripeCustomer(ctx.db, userId, id, ctx.now);
}

async function ensureStripeInvoice(
  ctx: AppContext,
  stripe: StripeGateway,
  inv: InvoiceRow,
  customerId: string,
  retry: boolean,
): Promise<StripeInvoiceView> {
  if (inv.stripeInvoiceId) return stripe.retrieveInvoice(inv.stripeInvoiceId);
  const found = retry ? await stripe.findInvoice(customerId, inv.id) : null;
  const created =
    found ??
    (await stripe.createInvoice(inv.id, {
      customerId,
      userId: inv.ownerId,
      daysUntilDue: Math.max(1, ctx.config.billing.pastDueDays),
      description: `Short Drama Studio invoice #${inv.id} (${inv.kind}, ${inv.period}) — ¥${fromHundredths(inv.amount).toFixed(2)}`,
    }));
  await linkStripeInvoice(ctx.db, inv.id, created.id, ctx.now);
  return created;
}

async function collect(ctx: AppContext, stripe: StripeGateway, inv: InvoiceRow, retry: boolean) {
  const customerId = await ensureCustomer(ctx, stripe, inv.ownerId, retry);
  let remote = await ensureStripeInvoice(ctx, stripe, inv, customerId, retry);
  if (remote.status === "draft") {
    const stripeInvoiceId = remote.id;
    for (const line of lines(inv).filter((l) => !remote.lineKeys.includes(l.key))) {
      await stripe.addLine(inv.id, { ...line, customerId, stripeInvoiceId });
    }
    const built = await stripe.retrieveInvoice(stripeInvoiceId);
    if (built.total !== inv.amount) {
      // Never ask a customer for an amount we did not compute: leave the draft for an operator.
      throw new Error(`Stripe invoice ${stripeInvoiceId} totals ${built.total} fen, ours ${inv.amount}`);
    }
    remote = await stripe.finalize(inv.id, stripeInvoiceId);
  }
  await recordStripeState(
    ctx.db,
    inv.id,
    { stripeStatus: remote.status, hostedInvoiceUrl: remote.hostedInvoiceUrl },
    ctx.now,
  );
  return remote;
}

/** Ours was settled outside Stripe (by an operator) or voided: Stripe's invoice follows. */
async function settle(ctx: AppContext, stripe: StripeGateway, inv: InvoiceRow) {
  if (!inv.stripeInvoiceId) return;
  let remote = await stripe.retrieveInvoice(inv.stripeInvoiceId);
  if (remote.status === "draft") {
    // Never sent to the customer: there is nothing to mark, only a draft to drop.
    await stripe.deleteDraft(remote.id);
    remote = { ...remote, status: "deleted" };
  } else if (inv.status === "paid" && (remote.status === "open" || remote.status === "uncollectible")) {
    remote = await stripe.payOutOfBand(inv.id, remote.id);
  } else if (inv.status === "void" && (remote.status === "open" || remote.status === "uncollectible")) {
    remote = await stripe.void(inv.id, remote.id);
  }
  await recordStripeState(ctx.db, inv.id, { stripeStatus: remote.status, hostedInvoiceUrl: null }, ctx.now);
}

/**
 * The `stripe_invoice_sync` job. `retry` is true when an earlier attempt of the job ran (then
 * Stripe is searched for what that attempt may have created). Without Stripe keys nothing is sent
 * and the job reports `skipped`; the cron puts skipped jobs back once keys are configured.
 */
export async function syncInvoiceToStripe(
  ctx: AppContext,
  invoiceId: number,
  retry: boolean,
): Promise<SyncOutcome> {
  const stripe = stripeGateway(ctx.env);
  if (!stripe) return "skipped";
  const inv = await findInvoiceById(ctx.db, invoiceId);
  if (!inv || inv.amount <= 0) return "synced";
  if (inv.status === "open" || inv.status === "uncollectible") {
    if (inv.status === "open" && !inv.hostedInvoiceUrl) await collect(ctx, stripe, inv, retry);
    // An operator may have settled it while Stripe was being built: bring Stripe along.
    const after = await findInvoiceById(ctx.db, invoiceId);
    if (after && after.status !== "open" && after.status !== "uncollectible")
      await settle(ctx, stripe, after);
    return "synced";
  }
  await settle(ctx, stripe, inv);
  return "synced";
}

/**
 * Cron: collection jobs skipped while Stripe was not configured run once it is, and jobs the queue
 * gave up on (dead) run again hourly, up to 60 deliveries — an outage of Stripe loses nothing.
 */
export async function resumeCollections(ctx: AppContext, limit = 100): Promise<number> {
  if (!stripeGateway(ctx.env)) return 0;
  const rows = await resumableInvoiceSyncs(ctx.db, ctx.now, {
    limit,
    deadRetryAfterMs: 3_600_000,
    maxAttempts: 60,
  });
  await enqueueOutbox(
    ctx,
    rows.map((r) => r.id),
  );
  return rows.length;
}
