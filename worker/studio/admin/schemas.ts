import { z } from "@hono/zod-openapi";
import { IdParam } from "../../platform/params";
import { InvoiceSchema } from "../billing/schemas";

export const InvoiceParamsSchema = z.object({ invoice_id: IdParam("invoice_id") });

export const MarkPaidBodySchema = z
  .object({
    reference: z.string().trim().min(1).max(200).optional().openapi({
      example: "bank transfer 2026-03-02 #88121",
      description: "Why it is paid: a transfer reference, a ticket; kept with the invoice",
    }),
  })
  .strict()
  .openapi("MarkInvoicePaid");

export const MarkedPaidSchema = z
  .object({
    user_id: z.number().int().openapi({ example: 7 }),
    changed: z.boolean().openapi({ example: true, description: "False when the invoice was already paid" }),
    invoice: InvoiceSchema,
  })
  .openapi("InvoiceMarkedPaid");
