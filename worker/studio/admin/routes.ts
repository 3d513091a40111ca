import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { studioErrorResponses } from "../errors";
import { adminUser } from "../middleware/auth";
import { InvoiceParamsSchema, MarkedPaidSchema, MarkPaidBodySchema } from "./schemas";

export const markInvoicePaid = createRoute({
  method: "post",
  path: "/api/v1/admin/invoices/{invoice_id}/mark-paid",
  tags: ["Admin"],
  security: bearerSecurity,
  middleware: adminUser,
  summary: "Operators: mark an invoice paid by hand (any user's)",
  description:
    "Scope `admin`: a logged-in user whose email is in `ADMIN_EMAILS` (API keys never carry it). For invoices " +
    "paid outside Stripe, and for testing where Stripe is not configured. Stripe's copy, if any, is marked paid " +
    "out of band; a plan lost to dunning is restored at once. Already paid: 200 with `changed: false`; void: 409.",
  request: {
    params: InvoiceParamsSchema,
    body: { required: false, content: { "application/json": { schema: MarkPaidBodySchema } } },
  },
  responses: {
    200: jsonResponse(MarkedPaidSchema, "The invoice, paid"),
    ...studioErrorResponses(401, 403, 404, 409, 415, 422, 429),
  },
});
