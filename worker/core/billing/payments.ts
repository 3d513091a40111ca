import { isGuardAbort } from "../../db/guard";
import {
  findInvoiceById,
  type InvoiceRow,
  invoiceSyncByIdStatement,
  invoiceTransitionStatement,
} from "../../db/queries/invoices";
import { listBillingEvents } from "../../db/queries/payments";
import type { InvoiceStatus } from "../../db/schema";
import { conflict, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { evaluateSubscription } from "./dunning";
import { BillingBatch, sendOutbox } from "./statements";

/**
 * Where an invoice may move from where it is, after Stripe's own lifecycle
 * (https://docs.stripe.com/invoicing/integration/workflow-transitions): an open invoice is paid,
 * voided or marked uncollectible; an uncollectible one may still be paid or voided. `paid` and
 * `void` are final — refunds are not modelled — so an event arriving late or out of order never
 * moves an invoice backwards.
 */
const NEXT: Record<InvoiceStatus, readonly InvoiceStatus[]> = {
  open: ["paid", "void", "uncollectible"],
  uncollectible: ["paid", "void"],
  paid: [],
  void: [],
};

export function canMove(from: InvoiceStatus, to: InvoiceStatus): boolean {
  return NEXT[from].includes(to);
}

/**
 * An operator settles an invoice by hand (a bank transfer, a test): it is `paid` with the
 * operator's reference, Stripe's copy is marked paid out of band by the collection job, and a
 * subscription lost to dunning comes back at once. Paying a paid invoice changes nothing; a void
 * one is 409.
 */
export async function markInvoicePaidByHand(
  ctx: AppContext,
  invoiceId: number,
  input: { reference?: string | undefined; operatorId: number },
): Promise<{ invoice: InvoiceRow; changed: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const inv = await findInvoiceById(ctx.db, invoiceId);
    if (!inv) throw notFound("Invoice");
    if (inv.status === "paid") return { invoice: inv, changed: false };
    if (!canMove(inv.status, "paid"))
      throw conflict(`Invoice ${invoiceId} is ${inv.status} and cannot be paid`);
    const reference = [`operator ${input.operatorId}`, input.reference].filter(Boolean).join(": ");
    const batch = new BillingBatch(ctx.db)
      .guarded(
        invoiceTransitionStatement(
          ctx.db,
          {
            id: inv.id,
            from: inv.status,
            to: "paid",
            at: ctx.now,
            paidVia: "manual",
            amountPaid: inv.amount,
            paidReference: reference,
          },
          ctx.now,
        ),
        `invoice-paid:${inv.id}`,
      )
      .outbox(invoiceSyncByIdStatement(ctx.db, inv.id, "settled", ctx.now));
    try {
      await sendOutbox(ctx, await batch.run());
    } catch (err) {
      if (isGuardAbort(err)) continue;
      throw err;
    }
    await evaluateSubscription(ctx, inv.ownerId);
    const paid = await findInvoiceById(ctx.db, invoiceId);
    return { invoice: paid ?? inv, changed: true };
  }
  throw conflict(`Invoice ${invoiceId} kept changing; try again`);
}

/** `GET /billing/events`: what happened to the owner's billing, newest first. */
export function listOwnBillingEvents(ctx: AppContext, ownerId: number, q: { skip: number; limit: number }) {
  return listBillingEvents(ctx.db, ownerId, q);
}
