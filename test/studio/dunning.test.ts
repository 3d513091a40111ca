import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { issueDueInvoices } from "../../worker/core/billing/issue-invoices";
import { currentSubscription } from "../../worker/core/billing/subscriptions";
import { createContext } from "../../worker/core/context";
import { runScheduled } from "../../worker/entries/scheduled";
import {
  invoiceRows,
  postStripeEvent,
  setSubscription,
  subscriptionRow,
  upgrade,
  waitForStripe,
} from "../helpers/billing";
import { call, expectStudioError, newUser } from "../helpers/http";
import { server } from "../helpers/msw";
import { FakeStripe, signedEvent } from "../helpers/stripe";

/**
 * Dunning with injected clocks: an enterprise month invoiced in arrears and left unpaid goes past
 * due at its due date (BILLING_PAST_DUE_DAYS, 7), keeps its tier until the next quota month, then
 * moves to free; paying restores the plan at once. Stripe is faked at its HTTP boundary
 * (test/helpers/stripe.ts, pages of https://docs.stripe.com/api named there).
 */
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
let stripe: FakeStripe;
beforeEach(() => {
  stripe = new FakeStripe();
  server.use(...stripe.handlers());
});

/** One calendar month later in UTC, the last day of a shorter month if the day does not exist. */
function monthLater(ms: number): number {
  const d = new Date(ms);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 2, 0)).getUTCDate();
  return Date.UTC(
    d.getUTCFullYear(),
    d.getUTCMonth() + 1,
    Math.min(d.getUTCDate(), last),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** fee × part / whole in fen, rounded half up, exactly. */
const prorated = (fee: number, part: number, whole: number) =>
  Number((2n * BigInt(fee) * BigInt(part) + BigInt(whole)) / (2n * BigInt(whole)));

async function events(token: string) {
  return (await call("GET", "/api/v1/billing/events", { token })).body.items as {
    type: string;
    occurred_at: string;
    data: Record<string, unknown>;
  }[];
}

describe("dunning", () => {
  it("goes past due at the due date, moves to free at the next quota month, and paying restores the plan", async () => {
    const user = await newUser("dunning");
    await upgrade(user, "enterprise");
    const now = Date.now();
    // An enterprise billing period that ran [now-45d, now-15d); the quota month ends at now-5d.
    const p0 = now - 45 * DAY;
    const p1 = now - 15 * DAY;
    const q1 = now - 5 * DAY;
    await setSubscription(user.id, {
      billing_period_start: p0,
      billing_period_end: p1,
      current_period_start: q1 - 30 * DAY,
      current_period_end: q1,
    });

    // The cron invoices the month a minute after it ended: ¥999, due seven days later.
    const issuedAt = p1 + 60_000;
    expect(await issueDueInvoices(createContext(env, { clock: () => issuedAt }))).toBeGreaterThanOrEqual(1);
    // (Read from D1: a request now would evaluate the account at today's date, past all of this.)
    const [period] = (await invoiceRows(user.id)).filter((i) => i.kind === "period");
    if (!period) throw new Error("no period invoice");
    expect(period).toMatchObject({ amount: 99_900, status: "open", due_at: issuedAt + 7 * DAY });
    await waitForStripe(period.id);

    // A day after the due date: past due, the tier kept until the quota month ends.
    const seen = await currentSubscription(createContext(env, { clock: () => now - 7 * DAY }), user.id);
    expect(seen).toMatchObject({ tier: "enterprise", status: "past_due", pastDueAt: issuedAt + 7 * DAY });
    const warned = await env.DB.prepare(
      "SELECT kind, occurred_at, data FROM billing_events WHERE owner_id = ?",
    )
      .bind(user.id)
      .all<{ kind: string; occurred_at: number; data: string }>();
    expect(warned.results.map((e) => ({ ...e, data: JSON.parse(e.data) }))).toEqual([
      {
        kind: "subscription.past_due",
        occurred_at: issuedAt + 7 * DAY,
        data: { invoice_ids: [period.id], tier: "enterprise", downgrade_at: new Date(q1).toISOString() },
      },
    ]);

    // Today, past that boundary: several readers at once (and the cron) move it to free once.
    const [me] = await Promise.all([
      call("GET", "/api/v1/subscriptions/me", { token: user.token }),
      call("GET", "/api/v1/auth/me", { token: user.token }),
      runScheduled(env, Date.now()),
    ]);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      tier: "free",
      billing_cycle: "monthly",
      status: "past_due",
      past_due_since: iso(issuedAt + 7 * DAY),
      restores_to: "enterprise",
      downgrade_at: null,
      quota_total: 100,
      quota_used: 0,
      quota_period_start: iso(q1),
      billing_period_start: iso(q1),
    });
    // The free tier's rate limit applies at once.
    expect(me.headers.get("RateLimit-Limit")).toBe("100");
    const moved = (await events(user.token)).filter((e) => e.type === "subscription.downgraded");
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ occurred_at: iso(q1), data: { from_tier: "enterprise", tier: "free" } });
    // The enterprise days since the last invoice are billed up to the boundary, exactly.
    const rows = await invoiceRows(user.id);
    const partial = rows.filter((r) => r.kind === "proration" && r.period_start === p1);
    expect(partial).toHaveLength(1);
    expect(partial[0]).toMatchObject({
      period_end: q1,
      status: "open",
      subscription_amount: prorated(99_900, q1 - p1, monthLater(p1) - p1),
      storage_amount: 0,
    });
    // No way back up while past due.
    const refused = await call("POST", "/api/v1/subscriptions/upgrade", {
      token: user.token,
      json: { tier: "enterprise", billing_cycle: "monthly" },
    });
    expect(expectStudioError(refused, 409, "CONFLICT").detail).toMatch(new RegExp(`past due.*${period.id}`));

    // The customer pays the overdue invoice on Stripe's page; the webhook restores the plan now.
    const remote = stripe.invoicesFor(period.id)[0];
    const paid = await signedEvent("invoice.paid", stripe.payAsCustomer(remote?.id));
    const before = Date.now();
    expect((await postStripeEvent(paid)).body.outcome).toBe("applied");
    const back = await call("GET", "/api/v1/subscriptions/me", { token: user.token });
    expect(back.body).toMatchObject({
      tier: "enterprise",
      billing_cycle: "monthly",
      status: "active",
      past_due_since: null,
      restores_to: null,
      quota_total: 10000,
      quota_used: 0,
    });
    expect(Date.parse(back.body.billing_period_start)).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) * 1000,
    );
    expect(back.headers.get("RateLimit-Limit")).toBe("10000");
    expect((await events(user.token)).map((e) => e.type)).toEqual([
      "subscription.restored",
      "subscription.downgraded",
      "subscription.past_due",
    ]);

    // The history stays exact: every period billed once, at the plan in force, in fen.
    const history = (await invoiceRows(user.id)).map((r) => ({
      kind: r.kind,
      tier: JSON.parse(r.details).tier,
      start: r.period_start,
      end: r.period_end,
      amount: r.amount,
      status: r.status,
    }));
    // (The first is the ¥0 free days between sign-up and the upgrade.)
    expect(history[0]).toMatchObject({ kind: "proration", tier: "free", amount: 0, status: "paid" });
    expect(history.slice(1)).toEqual([
      { kind: "period", tier: "enterprise", start: p0, end: p1, amount: 99_900, status: "paid" },
      {
        kind: "proration",
        tier: "enterprise",
        start: p1,
        end: q1,
        amount: prorated(99_900, q1 - p1, monthLater(p1) - p1),
        status: "open",
      },
      { kind: "proration", tier: "free", start: q1, end: expect.any(Number), amount: 0, status: "paid" },
    ]);
    // The open proration invoice is not due yet: the account stays active.
    expect((await subscriptionRow(user.id))?.status).toBe("active");
  });

  it("is evaluated by the cron too, and voiding what is owed also restores", async () => {
    const user = await newUser("dunning-cron");
    await upgrade(user, "professional");
    const now = Date.now();
    await setSubscription(user.id, {
      billing_period_start: now - 40 * DAY,
      billing_period_end: now - 10 * DAY,
    });
    await issueDueInvoices(createContext(env, { clock: () => now - 10 * DAY + 1000 }));
    const [inv] = await invoiceRows(user.id).then((r) => r.filter((i) => i.kind === "period"));
    expect(inv).toMatchObject({ amount: 29_900, status: "open" });
    // Nobody reads the account: the cron alone notices the missed due date.
    await runScheduled(env, now);
    expect(await subscriptionRow(user.id)).toMatchObject({ status: "past_due", tier: "professional" });

    await waitForStripe(inv?.id);
    const remote = stripe.invoicesFor(inv?.id)[0];
    const voided = await signedEvent("invoice.voided", { ...remote, status: "void" });
    expect((await postStripeEvent(voided)).body.outcome).toBe("applied");
    expect(await subscriptionRow(user.id)).toMatchObject({
      status: "active",
      tier: "professional",
      past_due_at: null,
    });
  });
});
