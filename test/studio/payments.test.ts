import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { resumeCollections, syncInvoiceToStripe } from "../../worker/core/billing/collection";
import { upgradeSubscription } from "../../worker/core/billing/subscriptions";
import { createContext } from "../../worker/core/context";
import worker from "../../worker/index";
import {
  adminToken,
  invoiceOf,
  invoicesOf,
  postStripeEvent,
  setSubscription,
  upgrade,
  waitForPayUrl,
} from "../helpers/billing";
import { call, expectStudioError, newUser, ORIGIN, type TestUser } from "../helpers/http";
import { server } from "../helpers/msw";
import { FakeStripe, signedEvent } from "../helpers/stripe";
import { rowCount } from "../helpers/studio";
import { waitUntil } from "../helpers/workflows";

/**
 * Collecting invoices through Stripe, with Stripe faked at its HTTP boundary (test/helpers/stripe.ts
 * names the API reference pages the fake follows): the collection job, its idempotency under
 * dropped connections and queue redelivery, the signed webhook, the operator's manual payment,
 * and the local default without Stripe keys.
 */
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const DAY = 86_400_000;
let stripe: FakeStripe;
beforeEach(() => {
  stripe = new FakeStripe();
  server.use(...stripe.handlers());
});

/** A professional user ten days into a thirty-day period who upgrades: a ¥99.67 proration invoice. */
async function prorationInvoice(user: TestUser, upgradeTo = () => upgrade(user, "enterprise")) {
  await upgrade(user, "professional");
  const start = Date.now() - 10 * DAY;
  await setSubscription(user.id, { billing_period_start: start, billing_period_end: start + 30 * DAY });
  await upgradeTo();
  const inv = (await invoicesOf(user)).find((i) => i.kind === "proration" && i.amount > 0);
  if (!inv) throw new Error("no proration invoice");
  return inv;
}

async function collectedInvoice() {
  const user = await newUser("payer");
  const inv = await prorationInvoice(user);
  const collected = await waitForPayUrl(user, inv.invoice_id);
  const remote = stripe.invoicesFor(inv.invoice_id)[0];
  if (!remote) throw new Error("not on Stripe");
  return { user, inv: collected, stripeId: remote.id as string };
}

describe("collection through Stripe", () => {
  it("creates one customer and one invoice per invoice under dropped connections and redelivery, to the fen", async () => {
    const user = await newUser("collect");
    // Stripe does the work and the answer is lost: once for the customer (the package retries
    // with the same key), three times for the invoice (more than the package retries: the job
    // fails and the queue runs it again).
    stripe.fail({ match: (c) => c.method === "POST" && c.path === "/v1/customers", times: 1, kind: "lost" });
    stripe.fail({ match: (c) => c.method === "POST" && c.path === "/v1/invoices", times: 3, kind: "lost" });
    const inv = await prorationInvoice(user);
    // 10 of 30 days of ¥299: 29900 × 10/30 = 9966.67 fen, rounded half up.
    expect(inv).toMatchObject({
      status: "open",
      amount: 99.67,
      subscription_amount: 99.67,
      storage_amount: 0,
    });
    const collected = await waitForPayUrl(user, inv.invoice_id, 40_000);

    const customers = [...stripe.customers.values()].filter(
      (c) => c.metadata.sds_user_id === String(user.id),
    );
    expect(customers).toHaveLength(1);
    const remote = stripe.invoicesFor(inv.invoice_id);
    expect(remote).toHaveLength(1);
    expect(remote[0]).toMatchObject({
      customer: customers[0]?.id,
      currency: "cny",
      collection_method: "send_invoice",
      days_until_due: 7,
      status: "open",
      total: 9967,
      amount_due: 9967,
    });
    expect(
      remote[0]?.lines.data.map((l: { metadata: { sds_line: string }; amount: number }) => [
        l.metadata.sds_line,
        l.amount,
      ]),
    ).toEqual([["subscription", 9967]]);
    expect(collected).toMatchObject({
      status: "open",
      pay_url: remote[0]?.hosted_invoice_url,
      hosted_invoice_url: remote[0]?.hosted_invoice_url,
    });

    // What reached Stripe: every write with a key derived from our ids; retries replayed, not redone.
    const writes = stripe.writes();
    expect(writes.every((w) => w.idempotencyKey?.startsWith("sds-"))).toBe(true);
    const invoiceCreates = writes.filter((w) => w.path === "/v1/invoices");
    expect(invoiceCreates.map((w) => w.idempotencyKey)).toEqual([
      `sds-invoice-${inv.invoice_id}`,
      `sds-invoice-${inv.invoice_id}`,
      `sds-invoice-${inv.invoice_id}`,
    ]);
    expect(invoiceCreates.filter((w) => !w.replayed)).toHaveLength(1);
    const customerCreates = writes.filter((w) => w.path === "/v1/customers");
    expect(customerCreates.map((w) => [w.idempotencyKey, w.replayed])).toEqual([
      [`sds-customer-${user.id}`, false],
      [`sds-customer-${user.id}`, true],
    ]);
    // The queue's second attempt looked for what the first created before creating anything.
    expect(stripe.calls.some((c) => c.method === "GET" && c.path === "/v1/invoices")).toBe(true);

    // Redelivered messages and a rerun of the job change nothing on Stripe.
    const row = await env.DB.prepare(
      "SELECT id, status FROM outbox WHERE kind = 'stripe_invoice_sync' AND json_extract(payload, '$.invoice_id') = ?",
    )
      .bind(inv.invoice_id)
      .first<{ id: number; status: string }>();
    expect(row?.status).toBe("delivered");
    const before = stripe.calls.length;
    const batch = createMessageBatch("short-drama-jobs", [
      { id: "dup-1", timestamp: new Date(), attempts: 1, body: { kind: "outbox", id: row?.id } },
      { id: "dup-2", timestamp: new Date(), attempts: 1, body: { kind: "outbox", id: row?.id } },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks.sort()).toEqual(["dup-1", "dup-2"]);
    await syncInvoiceToStripe(createContext(env), inv.invoice_id, true);
    expect(stripe.calls.length).toBe(before);
  });

  it("never finalizes a Stripe invoice whose total is not ours", async () => {
    const user = await newUser("mismatch");
    stripe.strayLine = 100;
    const inv = await prorationInvoice(user);
    const job = () =>
      env.DB.prepare(
        "SELECT status, last_error FROM outbox WHERE kind = 'stripe_invoice_sync' AND json_extract(payload, '$.invoice_id') = ?",
      )
        .bind(inv.invoice_id)
        .first<{ status: string; last_error: string | null }>();
    await waitUntil(async () => (await job())?.status === "failed", 20_000, "the job to fail");
    expect((await job())?.last_error).toMatch(/totals 10067 fen, ours 9967/);
    expect(stripe.invoicesFor(inv.invoice_id)[0]?.status).toBe("draft");
    expect(stripe.calls.some((c) => c.path.endsWith("/finalize"))).toBe(false);
    expect(await invoiceOf(user, inv.invoice_id)).toMatchObject({ status: "open", pay_url: null });
  });
});

describe("a Stripe outage", () => {
  it("outlasting the queue's retries loses nothing: the cron runs the dead job again", async () => {
    const user = await newUser("outage");
    stripe.fail({ match: () => true, times: 1_000, kind: "unavailable" });
    const inv = await prorationInvoice(user);
    const job = () =>
      env.DB.prepare(
        "SELECT id, status, attempts FROM outbox WHERE kind = 'stripe_invoice_sync' AND json_extract(payload, '$.invoice_id') = ?",
      )
        .bind(inv.invoice_id)
        .first<{ id: number; status: string; attempts: number }>();
    await waitUntil(async () => (await job())?.status === "failed", 20_000, "the first failure");
    // The queue's five deliveries take minutes; what they end in is written here: dead.
    const dead = (minutesAgo: number) =>
      env.DB.prepare("UPDATE outbox SET status = 'dead', attempts = 5, updated_at = ? WHERE id = ?")
        .bind(Date.now() - minutesAgo * 60_000, row?.id)
        .run();
    const row = await job();
    // Dead for half an hour: left alone; for over an hour: put back in line, and once Stripe is
    // back the invoice is collected.
    await dead(30);
    await resumeCollections(createContext(env));
    expect((await job())?.status).toBe("dead");
    await dead(61);
    server.resetHandlers();
    stripe = new FakeStripe();
    server.use(...stripe.handlers());
    expect(await resumeCollections(createContext(env))).toBeGreaterThanOrEqual(1);
    const collected = await waitForPayUrl(user, inv.invoice_id);
    expect(stripe.invoicesFor(inv.invoice_id)).toHaveLength(1);
    expect((await job())?.status).toBe("delivered");
    expect(collected.pay_url).toBe(stripe.invoicesFor(inv.invoice_id)[0]?.hosted_invoice_url);
  });
});

describe("the Stripe webhook", () => {
  it("marks an invoice paid once: bad signatures, stale timestamps and replays are refused or no-ops", async () => {
    const { user, inv, stripeId } = await collectedInvoice();
    const paid = stripe.payAsCustomer(stripeId);
    const event = await signedEvent("invoice.paid", paid);
    const events = () => rowCount("stripe_events", "invoice_id = ?", inv.invoice_id);

    // A changed body, another secret, a signature older than 300 s, none at all: 400, nothing changes.
    const tampered = await postStripeEvent({
      body: event.body.replace('"paid"', '"PAID"'),
      signature: event.signature,
    });
    expect(expectStudioError(tampered, 400, "BAD_REQUEST").detail).toMatch(/signature/i);
    const forged = await signedEvent("invoice.paid", paid, {
      id: event.id,
      secret: "whsec_not_the_endpoint_secret",
    });
    expectStudioError(await postStripeEvent(forged), 400, "BAD_REQUEST");
    const stale = await signedEvent("invoice.paid", paid, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect(expectStudioError(await postStripeEvent(stale), 400, "BAD_REQUEST").detail).toMatch(/tolerance/);
    expectStudioError(await postStripeEvent({ body: event.body }), 400, "BAD_REQUEST");
    expect((await invoiceOf(user, inv.invoice_id)).status).toBe("open");
    expect(await events()).toBe(0);

    // Five deliveries at once: one applies.
    const answers = await Promise.all(Array.from({ length: 5 }, () => postStripeEvent(event)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual([
      "applied",
      "duplicate",
      "duplicate",
      "duplicate",
      "duplicate",
    ]);
    const after = await invoiceOf(user, inv.invoice_id);
    expect(after).toMatchObject({
      status: "paid",
      paid_via: "stripe",
      paid_at: new Date(paid.status_transitions.paid_at * 1000).toISOString().replace(".000Z", "Z"),
      pay_url: null,
      hosted_invoice_url: inv.hosted_invoice_url,
    });
    const stored = await env.DB.prepare("SELECT amount, amount_paid FROM invoices WHERE id = ?")
      .bind(inv.invoice_id)
      .first<{ amount: number; amount_paid: number }>();
    expect(stored).toEqual({ amount: 9967, amount_paid: 9967 });

    // Stripe redelivers the same event (re-signed, new timestamp): a no-op 200.
    const again = await signedEvent("invoice.paid", paid, { id: event.id });
    expect((await postStripeEvent(again)).body).toMatchObject({
      outcome: "duplicate",
      invoice_id: inv.invoice_id,
    });
    // Late and out of order: a void or uncollectible never moves a paid invoice back.
    for (const type of ["invoice.voided", "invoice.marked_uncollectible"]) {
      const late = await signedEvent(type, {
        ...paid,
        status: type === "invoice.voided" ? "void" : "uncollectible",
      });
      expect((await postStripeEvent(late)).body).toMatchObject({
        outcome: "ignored",
        invoice_id: inv.invoice_id,
      });
    }
    expect((await invoiceOf(user, inv.invoice_id)).status).toBe("paid");
    expect(await events()).toBe(3);

    // Not ours, and not about an invoice: acknowledged and recorded, nothing else.
    const foreign = await signedEvent("invoice.paid", { ...paid, id: "in_someone_elses", metadata: {} });
    expect((await postStripeEvent(foreign)).body).toMatchObject({
      outcome: "unknown_invoice",
      invoice_id: null,
    });
    const other = await signedEvent("customer.created", { id: "cus_x", object: "customer" });
    expect((await postStripeEvent(other)).body).toMatchObject({ outcome: "ignored" });
  });

  it("follows Stripe's lifecycle: uncollectible can still be paid, void is final", async () => {
    const a = await collectedInvoice();
    const uncollectible = await signedEvent(
      "invoice.marked_uncollectible",
      stripe.markUncollectible(a.stripeId),
    );
    expect((await postStripeEvent(uncollectible)).body.outcome).toBe("applied");
    expect(await invoiceOf(a.user, a.inv.invoice_id)).toMatchObject({
      status: "uncollectible",
      pay_url: a.inv.hosted_invoice_url,
    });
    const paid = await signedEvent("invoice.paid", stripe.payAsCustomer(a.stripeId));
    expect((await postStripeEvent(paid)).body.outcome).toBe("applied");
    expect((await invoiceOf(a.user, a.inv.invoice_id)).status).toBe("paid");

    // A finalized event names the page the job could not record (it died right after Stripe answered).
    const c = await collectedInvoice();
    await env.DB.prepare("UPDATE invoices SET hosted_invoice_url = NULL WHERE id = ?")
      .bind(c.inv.invoice_id)
      .run();
    expect((await invoiceOf(c.user, c.inv.invoice_id)).pay_url).toBeNull();
    const finalized = await signedEvent(
      "invoice.finalized",
      structuredClone(stripe.invoices.get(c.stripeId) ?? {}),
    );
    expect((await postStripeEvent(finalized)).body.outcome).toBe("ignored");
    expect(await invoiceOf(c.user, c.inv.invoice_id)).toMatchObject({
      status: "open",
      pay_url: c.inv.pay_url,
    });

    const b = await collectedInvoice();
    const remote = stripe.invoices.get(b.stripeId);
    const voided = await signedEvent("invoice.voided", { ...remote, status: "void" });
    expect((await postStripeEvent(voided)).body.outcome).toBe("applied");
    const late = await signedEvent("invoice.paid", {
      ...remote,
      status: "paid",
      amount_paid: remote?.amount_due,
    });
    expect((await postStripeEvent(late)).body.outcome).toBe("ignored");
    expect(await invoiceOf(b.user, b.inv.invoice_id)).toMatchObject({ status: "void", pay_url: null });
    expect((await invoiceOf(b.user, b.inv.invoice_id)).voided_at).not.toBeNull();
  });
});

describe("marking an invoice paid by hand", () => {
  it("is for operators only, idempotent, and brings Stripe along", async () => {
    const { user, inv, stripeId } = await collectedInvoice();
    const path = `/api/v1/admin/invoices/${inv.invoice_id}/mark-paid`;
    // Everyone else: 403 in the studio format — a user's own JWT, and an admin's API key.
    expectStudioError(await call("POST", path, { token: user.token, json: {} }), 403, "FORBIDDEN");
    const admin = await adminToken();
    const key = await call("POST", "/api/v1/auth/api-keys", {
      token: admin,
      json: { name: "ops key", scopes: ["studio", "automation", "worker", "webhooks"] },
    });
    expectStudioError(await call("POST", path, { token: key.body.key, json: {} }), 403, "FORBIDDEN");
    expect((await invoiceOf(user, inv.invoice_id)).status).toBe("open");

    expectStudioError(
      await call("POST", "/api/v1/admin/invoices/999999/mark-paid", { token: admin, json: {} }),
      404,
      "NOT_FOUND",
    );
    expectStudioError(
      await call("POST", path, { token: admin, json: { status: "paid" } }),
      422,
      "VALIDATION_ERROR",
    );
    const done = await call("POST", path, { token: admin, json: { reference: "bank transfer #88121" } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      user_id: user.id,
      changed: true,
      invoice: { invoice_id: inv.invoice_id, status: "paid", paid_via: "manual", pay_url: null },
    });
    const twice = await call("POST", path, { token: admin });
    expect(twice.body).toMatchObject({ changed: false, invoice: { status: "paid" } });
    const row = await env.DB.prepare("SELECT amount_paid, paid_reference FROM invoices WHERE id = ?")
      .bind(inv.invoice_id)
      .first<{ amount_paid: number; paid_reference: string }>();
    expect(row?.amount_paid).toBe(9967);
    expect(row?.paid_reference).toMatch(/bank transfer #88121/);

    // Stripe's copy is marked paid out of band, so Stripe stops asking; its own event is then a no-op.
    await waitUntil(() => stripe.invoices.get(stripeId)?.status === "paid", 20_000, "paid out of band");
    expect(stripe.invoices.get(stripeId)?.paid_out_of_band).toBe(true);
    const echo = await signedEvent("invoice.paid", structuredClone(stripe.invoices.get(stripeId) ?? {}));
    expect((await postStripeEvent(echo)).body.outcome).toBe("ignored");

    // A void invoice cannot be paid.
    const b = await collectedInvoice();
    const voided = await signedEvent("invoice.voided", {
      ...stripe.invoices.get(b.stripeId),
      status: "void",
    });
    await postStripeEvent(voided);
    const refused = await call("POST", `/api/v1/admin/invoices/${b.inv.invoice_id}/mark-paid`, {
      token: admin,
    });
    expectStudioError(refused, 409, "CONFLICT");
  });
});

describe("without Stripe keys (the local default)", () => {
  const sent: unknown[] = [];
  const noKeys = {
    ...env,
    STRIPE_SECRET_KEY: undefined,
    STRIPE_WEBHOOK_SECRET: undefined,
    // Messages of this test are delivered by hand, to the consumer running without keys.
    JOBS: {
      send: async (body: unknown) => void sent.push(body),
      sendBatch: async (batch: { body: unknown }[]) => void sent.push(...batch.map((m) => m.body)),
    },
  } as unknown as Env;

  it("leaves invoices open with pay_url null, until keys are configured", async () => {
    const user = await newUser("nokeys");
    await upgrade(user, "professional");
    const start = Date.now() - 10 * DAY;
    await setSubscription(user.id, { billing_period_start: start, billing_period_end: start + 30 * DAY });
    await upgradeSubscription(createContext(noKeys), user.id, {
      tier: "enterprise",
      billing_cycle: "monthly",
    });
    const inv = (await invoicesOf(user)).find((i) => i.kind === "proration" && i.amount > 0);
    if (!inv) throw new Error("no invoice");
    const job = sent.at(-1) as { kind: string; id: number };
    const batch = createMessageBatch("short-drama-jobs", [
      { id: "m0", timestamp: new Date(), attempts: 1, body: job },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, noKeys, ctx);
    await getQueueResult(batch, ctx);
    const outbox = await env.DB.prepare("SELECT status FROM outbox WHERE id = ?")
      .bind(job.id)
      .first<{ status: string }>();
    expect(outbox?.status).toBe("skipped");
    expect(await invoiceOf(user, inv.invoice_id)).toMatchObject({
      status: "open",
      pay_url: null,
      hosted_invoice_url: null,
    });
    expect(stripe.calls).toEqual([]);

    // No webhook secret: the endpoint says so, 503 in the studio format.
    const event = await signedEvent("invoice.paid", { id: "in_x", object: "invoice" });
    const res = await worker.fetch(
      new Request(`${ORIGIN}/api/v1/billing/stripe/webhook`, {
        method: "POST",
        body: event.body,
        headers: { "Content-Type": "application/json", "Stripe-Signature": event.signature },
      }),
      noKeys,
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ error_code: "SERVICE_UNAVAILABLE" });

    // Keys configured later: the cron puts the skipped job back and the invoice reaches Stripe.
    expect(await resumeCollections(createContext(env))).toBeGreaterThanOrEqual(1);
    const collected = await waitForPayUrl(user, inv.invoice_id);
    expect(collected.pay_url).toMatch(/^https:\/\/invoice\.stripe\.com\//);
    expect(stripe.invoicesFor(inv.invoice_id)).toHaveLength(1);
  });
});
