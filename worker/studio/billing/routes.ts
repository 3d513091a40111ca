import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { studioErrorResponses } from "../errors";
import { studioUser } from "../middleware/auth";
import {
  BillingEventsSchema,
  BillingPageQuerySchema,
  InvoicesSchema,
  SubscriptionSchema,
  UpgradeBodySchema,
  UpgradedSchema,
  UsageQuerySchema,
  UsageSchema,
} from "./schemas";

export const mySubscription = createRoute({
  method: "get",
  path: "/api/v1/subscriptions/me",
  tags: ["Subscriptions"],
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Your subscription, quota and billing dates",
  responses: {
    200: jsonResponse(SubscriptionSchema, "The subscription"),
    ...studioErrorResponses(401, 403, 429),
  },
});

export const upgrade = createRoute({
  method: "post",
  path: "/api/v1/subscriptions/upgrade",
  tags: ["Subscriptions"],
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Upgrade to a higher tier or from monthly to yearly",
  description:
    "Takes effect at once (billed in arrears): the month's quota rises to the new tier's credits, the running " +
    "billing period ends with a proration invoice and a new one starts. Downgrades are 400, the current plan " +
    "409, and so is any change while an invoice is past due.",
  request: { body: { required: true, content: { "application/json": { schema: UpgradeBodySchema } } } },
  responses: {
    200: jsonResponse(UpgradedSchema, "Upgraded"),
    ...studioErrorResponses(400, 401, 403, 409, 415, 422, 429),
  },
});

export const usage = createRoute({
  method: "get",
  path: "/api/v1/billing/usage",
  tags: ["Billing"],
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Usage and costs over a range of UTC days (default: this quota month)",
  request: { query: UsageQuerySchema },
  responses: { 200: jsonResponse(UsageSchema, "Usage"), ...studioErrorResponses(400, 401, 403, 422, 429) },
});

export const invoices = createRoute({
  method: "get",
  path: "/api/v1/billing/invoices",
  tags: ["Billing"],
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Your invoices, newest first, with where to pay the open ones",
  description:
    "Amounts in ¥ with two decimals (stored as integer fen). An open invoice is paid on Stripe's hosted page " +
    "(`pay_url`); unpaid past `due_at`, the account is past due and moves to free at its next quota month.",
  request: { query: BillingPageQuerySchema },
  responses: { 200: jsonResponse(InvoicesSchema, "Invoices"), ...studioErrorResponses(401, 403, 422, 429) },
});

export const events = createRoute({
  method: "get",
  path: "/api/v1/billing/events",
  tags: ["Billing"],
  security: bearerSecurity,
  middleware: studioUser,
  summary: "What your invoices did to your plan: past due, moved to free, restored (newest first)",
  request: { query: BillingPageQuerySchema },
  responses: {
    200: jsonResponse(BillingEventsSchema, "Billing events"),
    ...studioErrorResponses(401, 403, 422, 429),
  },
});
