import { isGuardAbort } from "../../db/guard";
import {
  findSubscription,
  subscriptionStateStatement,
  subscriptionsDueForInvoice,
} from "../../db/queries/subscriptions";
import type { AppContext } from "../context";
import { evaluateSubscription } from "./dunning";
import { addInvoices, invoicesUntil } from "./invoices";
import { BillingBatch, sendOutbox } from "./statements";

/** Invoices every billing period that has ended; returns how many subscriptions were invoiced. */
export async function issueDueInvoices(ctx: AppContext, limit = 50): Promise<number> {
  const due = await subscriptionsDueForInvoice(ctx.db, ctx.now, limit);
  let issued = 0;
  for (const { userId } of due) {
    // Dunning first: a move to free at a quota boundary inside the period changes what is billed.
    await evaluateSubscription(ctx, userId);
    const sub = await findSubscription(ctx.db, userId);
    if (!sub || sub.billingPeriodEnd > ctx.now) continue;
    const next = await invoicesUntil(ctx, sub, ctx.now, { prorate: false });
    const batch = new BillingBatch(ctx.db).guarded(
      subscriptionStateStatement(
        ctx.db,
        sub,
        { ...sub, billingPeriodStart: next.start, billingPeriodEnd: next.end },
        { resetQuotaUsed: false, quotaAtLeast: false },
        ctx.now,
      ),
      `invoice:${sub.id}`,
    );
    addInvoices(ctx, batch, next.invoices);
    try {
      await sendOutbox(ctx, await batch.run());
      issued++;
    } catch (err) {
      // Another run (or a reader's dunning step) moved this subscription on first: its invoice is theirs.
      if (!isGuardAbort(err)) throw err;
    }
  }
  return issued;
}
