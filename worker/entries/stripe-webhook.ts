import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { Hono } from "hono";
import { applyStripeWebhook } from "../core/billing/stripe-events";
import type { AppEnv } from "../platform/http/app-env";
import { contextOf } from "../platform/http/context";
import { studioErrorResponses } from "../studio/errors";

export const STRIPE_WEBHOOK_PATH = "/api/v1/billing/stripe/webhook";

/**
 * Stripe's event deliveries. A plain route, not a zod one: the signature covers the raw bytes, so
 * the body is read as text exactly once and never parsed before it is verified (a JSON validator
 * would parse it first, and the re-serialised text would no longer match).
 */
export const stripeWebhookRouter = new Hono<AppEnv>();

stripeWebhookRouter.post(STRIPE_WEBHOOK_PATH, async (c) => {
  const body = await c.req.text();
  return c.json(await applyStripeWebhook(contextOf(c), body, c.req.header("Stripe-Signature")), 200);
});

const WebhookAnswerSchema = z
  .object({
    received: z.literal(true),
    event_id: z.string().openapi({ example: "evt_1Q2w3E4r5T6y7U8i" }),
    outcome: z.enum(["applied", "ignored", "unknown_invoice", "duplicate"]).openapi({
      description:
        "`applied`: the invoice moved; `ignored`: nothing to do (another event type, or the invoice is already " +
        "further along); `unknown_invoice`: not one of ours; `duplicate`: this event id was applied before",
    }),
    invoice_id: z.number().int().nullable().openapi({ example: 12 }),
  })
  .openapi("StripeWebhookAnswer");

export function registerStripeWebhookPath(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerPath({
    method: "post",
    path: STRIPE_WEBHOOK_PATH,
    tags: ["Billing"],
    summary: "Stripe webhook: invoice events (paid, voided, marked uncollectible)",
    description:
      "Called by Stripe, not by users: authenticated by the `Stripe-Signature` header (HMAC-SHA256 with the " +
      "endpoint's signing secret `STRIPE_WEBHOOK_SECRET`, verified by the official package), timestamp within " +
      "300 s. Each event id is applied once. Subscribe the endpoint to `invoice.paid`, `invoice.voided`, " +
      "`invoice.marked_uncollectible` and `invoice.finalized`. 503 when this deployment has no signing secret.",
    request: {
      headers: z.object({
        "stripe-signature": z.string().openapi({ example: "t=1767225600,v1=5257a869e7ec…" }),
      }),
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.object({ id: z.string(), type: z.string(), data: z.object({}).catchall(z.unknown()) }),
            example: {
              id: "evt_1Q2w3E4r5T6y7U8i",
              object: "event",
              type: "invoice.paid",
              data: { object: { id: "in_1Q2w3E4r5T6y7U8i", object: "invoice", status: "paid" } },
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: "Received (applied, or nothing to do)",
        content: {
          "application/json": {
            schema: WebhookAnswerSchema,
            example: { received: true, event_id: "evt_1Q2w3E4r5T6y7U8i", outcome: "applied", invoice_id: 12 },
          },
        },
      },
      ...studioErrorResponses(400, 413, 503),
    },
  });
}
