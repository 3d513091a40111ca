import { markInvoicePaidByHand } from "../../core/billing/payments";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { invoiceOut } from "../billing/mapper";
import * as routes from "./routes";

export const adminRouter = createRouter().openapi(routes.markInvoicePaid, async (c) => {
  const ctx = contextOf(c);
  const { invoice_id } = c.req.valid("param");
  const { invoice, changed } = await markInvoicePaidByHand(ctx, invoice_id, {
    reference: c.req.valid("json")?.reference,
    operatorId: principalOf(c).userId,
  });
  return c.json({ user_id: invoice.ownerId, changed, invoice: invoiceOut(invoice) }, 200);
});
