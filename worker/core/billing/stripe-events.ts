import { isUniqueViolation } from "../../db/errors";
import { isGuardAbort } from "../../db/guard";
import {
  findInvoiceById,
  findInvoiceByStripeId,
  type InvoiceRow,
  invoiceTransitionStatement,
  recordHostedUrlIfMissing,
} from "../../db/queries/invoices";
import { findStripeEvent, stripeEventStatement } from "../../db/queries/payments";
import type { InvoiceStatus } from "../../db/schema";
import {
  invoiceView,
  type StripeEvent,
  type StripeInvoiceView,
  StripeSignatureError,
  verifyStripeEvent,
} from "../../payments/stripe";
import { AppError, badRequest } from "../../platform/errors";
import type { AppContext } from "../context";
import { evaluateSubscription } from "./dunning";
import { canMove } from "./payments";
import { BillingBatch } from "./statements";

/**
 * Stripe's webhook (`POST /api/v1/billing/stripe/webhook`). A delivery is believed only once the
 * package has verified its signature over the raw body with the endpoint's secret, its timestamp
 * within 300 s (older is a replay: 400). Each event id is applied once: its id is written in the
 * same D1 batch as its effect, so a redelivery, a replay inside the window or two deliveries at
 * once change nothing more (200, so Stripe stops retrying). Events move our invoice only forward
 * (see `canMove`); anything else — an unrelated event type, an invoice that is not ours, a late
 * event for an invoice already paid — is acknowledged and recorded as such.
 */
export interface WebhookOutcome {
  received: true;
  event_id: string;
  outcome: "applied" | "ignored" | "unknown_invoice" | "duplicate";
  invoice_id: number | null;
}

const TARGET: Partial<Record<string, InvoiceStatus>> = {
  "invoice.paid": "paid",
  "invoice.voided": "void",
  "invoice.marked_uncollectible": "uncollectible",
};

function stripeInvoiceOf(event: StripeEvent): StripeInvoiceView | null {
  const obj = event.data.object as { object?: string };
  return obj.object === "invoice"
    ? invoiceView(event.data.object as Parameters<typeof invoiceView>[0])
    : null;
}

async function ourInvoice(ctx: AppContext, remote: StripeInvoiceView): Promise<InvoiceRow | undefined> {
  const linked = await findInvoiceByStripeId(ctx.db, remote.id);
  if (linked) return linked;
  // The collection job may have died between Stripe's answer and recording it: our metadata names it.
  if (remote.ourInvoiceId === null) return undefined;
  const named = await findInvoiceById(ctx.db, remote.ourInvoiceId);
  return named && named.stripeInvoiceId === null ? named : undefined;
}

async function record(batch: BillingBatch) {
  try {
    await batch.run();
    return true;
  } catch (err) {
    if (isUniqueViolation(err, "stripe_events.id")) return false;
    throw err;
  }
}

export async function applyStripeWebhook(
  ctx: AppContext,
  body: string,
  signature: string | undefined,
): Promise<WebhookOutcome> {
  const secret = ctx.env.STRIPE_WEBHOOK_SECRET?.trim();
  if (!secret)
    throw new AppError("SERVICE_UNAVAILABLE", "Stripe webhooks are not configured on this deployment");
  if (!signature) throw badRequest("Missing Stripe-Signature header");
  let event: StripeEvent;
  try {
    event = await verifyStripeEvent(secret, body, signature, ctx.now);
  } catch (err) {
    if (err instanceof StripeSignatureError) throw badRequest(`Invalid Stripe signature: ${err.message}`);
    throw err;
  }
  const answer = (outcome: WebhookOutcome["outcome"], invoiceId: number | null): WebhookOutcome => ({
    received: true,
    event_id: event.id,
    outcome,
    invoice_id: invoiceId,
  });
  const seen = await findStripeEvent(ctx.db, event.id);
  if (seen) return answer("duplicate", seen.invoiceId);

  const remote = stripeInvoiceOf(event);
  const inv = remote ? await ourInvoice(ctx, remote) : undefined;
  const note = (outcome: "ignored" | "unknown_invoice", invoiceId: number | null) =>
    new BillingBatch(ctx.db).add(
      stripeEventStatement(ctx.db, { id: event.id, type: event.type, invoiceId, outcome }, ctx.now),
    );
  if (!remote || !inv) {
    const outcome = remote ? "unknown_invoice" : "ignored";
    return answer((await record(note(outcome, null))) ? outcome : "duplicate", null);
  }
  if (remote.hostedInvoiceUrl)
    await recordHostedUrlIfMissing(ctx.db, inv.id, remote.hostedInvoiceUrl, ctx.now);

  const target = TARGET[event.type];
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = attempt === 0 ? inv : await findInvoiceById(ctx.db, inv.id);
    if (!current) break;
    if (!target || !canMove(current.status, target)) {
      return answer((await record(note("ignored", inv.id))) ? "ignored" : "duplicate", inv.id);
    }
    const paidAt = (event.data.object as { status_transitions?: { paid_at?: number | null } })
      .status_transitions?.paid_at;
    const batch = new BillingBatch(ctx.db)
      .add(
        stripeEventStatement(
          ctx.db,
          { id: event.id, type: event.type, invoiceId: inv.id, outcome: "applied" },
          ctx.now,
        ),
      )
      .guarded(
        invoiceTransitionStatement(
          ctx.db,
          {
            id: inv.id,
            from: current.status,
            to: target,
            at: target === "paid" && paidAt ? paidAt * 1000 : ctx.now,
            paidVia: "stripe",
            amountPaid: remote.amountPaid,
            stripeStatus: remote.status,
          },
          ctx.now,
        ),
        `stripe-event:${inv.id}`,
      );
    try {
      if (!(await record(batch))) return answer("duplicate", inv.id);
    } catch (err) {
      // The invoice moved under us (another event, an operator): decide again from where it is.
      if (isGuardAbort(err)) continue;
      throw err;
    }
    if (target === "paid" && !remote.paidOutOfBand && remote.amountPaid !== current.amount) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "Stripe reports a paid amount that differs from the invoice",
          invoice_id: inv.id,
          amount: current.amount,
          amount_paid: remote.amountPaid,
        }),
      );
    }
    // Paid or voided, it may have been all that was past due: the plan comes back now.
    await evaluateSubscription(ctx, inv.ownerId);
    return answer("applied", inv.id);
  }
  throw new AppError(
    "SERVICE_UNAVAILABLE",
    "The invoice kept changing; Stripe will deliver the event again",
    {
      retryAfter: 1,
    },
  );
}
