import { markInvoicePaidByHand } from "../../core/billing/payments";
import { coreOf, principalOf } from "../../platform/context";
import { createRouter } from "../../platform/create-router";
import { invoiceOut } from "../billing/mapper";
import * as routes from "./routes";

export const adminRouter = createRouter().openapi(routes.markInvoicePaid, async (c) => {
  const ctx = coreOf(c);
  const { invoice_id } = c.req.valid("param");
  const { invoice, changed } = await markInvoicePaidByHand(ctx, invoice_id, {
    reference: c.req.valid("json")?.reference,
    operatorId: principalOf(c).userId,
  });
  return c.json({ user_id: invoice.ownerId, changed, invoice: invoiceOut(invoice) }, 200);
});
