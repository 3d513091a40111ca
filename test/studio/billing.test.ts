import { env } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { issueDueInvoices } from "../../worker/core/billing/issue-invoices";
import { createContext } from "../../worker/core/context";
import { runScheduled } from "../../worker/entries/scheduled";
import { postStripeEvent, storageFen, waitForPayUrl } from "../helpers/billing";
import { completedEvent, exportableProject, sendEvent, uploadOutputs } from "../helpers/exports";
import { call, expectStudioError, newUser } from "../helpers/http";
import { server } from "../helpers/msw";
import { type JobsLog, jobsHandlers } from "../helpers/renderer";
import { FakeStripe, signedEvent } from "../helpers/stripe";
import { rowCount, storedKeys } from "../helpers/studio";
import { waitUntil } from "../helpers/workflows";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());
// Invoices above ¥0 are collected through Stripe, faked at its HTTP boundary (test/helpers/stripe.ts).
let stripe: FakeStripe;
beforeEach(() => {
  stripe = new FakeStripe();
  server.use(...stripe.handlers());
});

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

describe("subscriptions", () => {
  it("shows the free tier's quota and billing dates, upgrades at once with a proration invoice, and refuses downgrades", async () => {
    const user = await newUser();
    const me = await call("GET", "/api/v1/subscriptions/me", { token: user.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user_id: user.id,
      tier: "free",
      status: "active",
      quota_total: 100,
      quota_used: 0,
      quota_remaining: 100,
      billing_cycle: "monthly",
      price: 0,
    });
    const created = Date.parse(me.body.created_at);
    expect(me.body.next_billing_date).toBe(
      isoDay(
        Date.UTC(
          new Date(created).getUTCFullYear(),
          new Date(created).getUTCMonth() + 1,
          new Date(created).getUTCDate(),
        ),
      ),
    );

    const up = (json: unknown) => call("POST", "/api/v1/subscriptions/upgrade", { token: user.token, json });
    expectStudioError(await up({ tier: "platinum" }), 422, "VALIDATION_ERROR");
    expectStudioError(await up({ tier: "free", billing_cycle: "monthly" }), 409, "CONFLICT");
    // Two upgrades at once: one applies, the other finds the plan already changed.
    const [a, b] = await Promise.all([
      up({ tier: "professional", billing_cycle: "monthly" }),
      up({ tier: "professional", billing_cycle: "monthly" }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const ok = a.status === 200 ? a : b;
    expect(ok.body).toMatchObject({
      tier: "professional",
      billing_cycle: "monthly",
      status: "active",
      quota_total: 2000,
      quota_remaining: 2000,
      message: "Subscription upgraded successfully",
    });
    expect((await call("GET", "/api/v1/auth/me", { token: user.token })).body).toMatchObject({
      subscription_tier: "professional",
      quota_remaining: 2000,
    });
    // The free period that ended with the upgrade: a proration invoice of ¥0, paid.
    let invoices = await call("GET", "/api/v1/billing/invoices", { token: user.token });
    expect(invoices.body.total).toBe(1);
    expect(invoices.body.items[0]).toMatchObject({
      kind: "proration",
      amount: 0,
      status: "paid",
      subscription_amount: 0,
    });

    expectStudioError(await up({ tier: "free" }), 400, "BAD_REQUEST");
    expectStudioError(await up({ tier: "professional", billing_cycle: "monthly" }), 409, "CONFLICT");
    // Professional for a while, then yearly: the month's fee pro rata for the time it ran.
    const start = Date.now() - 10 * DAY;
    await env.DB.prepare(
      "UPDATE subscriptions SET billing_period_start = ?, billing_period_end = ? WHERE user_id = ?",
    )
      .bind(start, start + 30 * DAY, user.id)
      .run();
    const yearly = await up({ tier: "professional", billing_cycle: "yearly" });
    expect(yearly.body).toMatchObject({ tier: "professional", billing_cycle: "yearly", quota_total: 2000 });
    invoices = await call("GET", "/api/v1/billing/invoices", { token: user.token });
    expect(invoices.body.total).toBe(2);
    const proration = invoices.body.items.find(
      (i: { period_start: string }) => Date.parse(i.period_start) === Math.floor(start / 1000) * 1000,
    );
    const sub = await env.DB.prepare(
      "SELECT billing_period_start, billing_period_end FROM subscriptions WHERE user_id = ?",
    )
      .bind(user.id)
      .first<{ billing_period_start: number; billing_period_end: number }>();
    expect(proration).toMatchObject({ kind: "proration", status: "open", storage_amount: 0 });
    // 10 days of a 30-day period of ¥299.
    expect(proration.subscription_amount).toBeCloseTo(299 / 3, 1);
    expect(proration.amount).toBe(proration.subscription_amount);
    expect((sub?.billing_period_end ?? 0) - (sub?.billing_period_start ?? 0)).toBeGreaterThanOrEqual(
      365 * DAY,
    );
    expectStudioError(await up({ tier: "professional", billing_cycle: "monthly" }), 400, "BAD_REQUEST");
    const enterprise = await up({ tier: "enterprise", billing_cycle: "yearly" });
    expect(enterprise.body).toMatchObject({ tier: "enterprise", quota_total: 10000 });
    expect((await call("GET", "/api/v1/subscriptions/me", { token: user.token })).body).toMatchObject({
      tier: "enterprise",
      billing_cycle: "yearly",
      price: 9990,
    });
  });

  it("rolls the quota month over in the cron and where it is read", async () => {
    const user = await newUser();
    const ended = Date.now() - 3 * DAY;
    await env.DB.prepare(
      "UPDATE subscriptions SET quota_used = 8000, current_period_start = ?, current_period_end = ? WHERE user_id = ?",
    )
      .bind(ended - 31 * DAY, ended, user.id)
      .run();
    const result = await runScheduled(env, Date.now());
    expect(result.quotaPeriodsRolled).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare(
      "SELECT quota_used, current_period_start, current_period_end FROM subscriptions WHERE user_id = ?",
    )
      .bind(user.id)
      .first<{ quota_used: number; current_period_start: number; current_period_end: number }>();
    expect(row).toMatchObject({ quota_used: 0, current_period_start: ended });
    expect(row?.current_period_end).toBeGreaterThan(Date.now());
    expect((await call("GET", "/api/v1/subscriptions/me", { token: user.token })).body.quota_remaining).toBe(
      100,
    );
  });
});

describe("usage and invoices", () => {
  it("add up to the fen across the ledger, the invoice and Stripe for a scripted month, issued once", async () => {
    const jobs: JobsLog = { specs: [], cancels: [] };
    server.use(...jobsHandlers(jobs));
    const user = await newUser();
    // A month that began 29 days ago and ends tonight.
    const now = Date.now();
    const periodStart = now - 29 * DAY - 3_600_000;
    const periodEnd = Math.floor(now / DAY) * DAY + DAY - 60_000;
    // On professional (¥299/month) for the whole of it.
    await env.DB.prepare(
      "UPDATE subscriptions SET tier = 'professional', quota_total = 200000, billing_period_start = ?, billing_period_end = ?, current_period_start = ?, current_period_end = ? WHERE user_id = ?",
    )
      .bind(periodStart, periodEnd, periodStart, periodEnd, user.id)
      .run();

    // Two completed exports, one failed, one cancelled.
    const project = await exportableProject(user.token, [10, 10]);
    const started: { id: number; cost: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call("POST", "/api/v1/export", {
        token: user.token,
        json: { project_id: project.id, resolution: "720p" },
      });
      expect(res.status).toBe(200);
      started.push({ id: res.body.export_id, cost: res.body.estimated_cost });
    }
    await waitUntil(() => jobs.specs.length === 4, 20_000, "four dispatches");
    const spec = (id: number) => jobs.specs.find((s) => s.render_id === `export-${id}`);
    for (const e of started.slice(0, 2)) {
      const s = spec(e.id);
      if (!s) throw new Error("no spec");
      const outputs = await uploadOutputs(s);
      expect((await sendEvent(s.callback_url, completedEvent(outputs, 19.5))).status).toBe(200);
    }
    const failing = spec(started[2]?.id ?? 0);
    await sendEvent(failing?.callback_url ?? "", { type: "failed", error: "boom", retryable: false });
    await call("POST", `/api/v1/export/${started[3]?.id}/cancel`, { token: user.token });
    // And 64 MiB of other files of theirs in storage.
    await env.BUCKET.put(
      `users/${user.id}/projects/${project.id}/extra.bin`,
      new Uint8Array(64 * 1024 * 1024),
    );
    const bytes = (await Promise.all((await storedKeys(user.id)).map((k) => env.BUCKET.head(k)))).reduce(
      (sum, o) => sum + (o?.size ?? 0),
      0,
    );

    // The cron ran every day of the month: one storage snapshot a day, the same day twice recording once.
    for (let day = periodStart; day < now; day += DAY) await runScheduled(env, day);
    await runScheduled(env, periodStart + 60_000);
    const snapshots = await rowCount("usage_events", "owner_id = ? AND kind = 'storage_bytes'", user.id);
    expect(snapshots).toBe(Math.ceil((now - periodStart) / DAY));

    // Usage over the month's days (those whose midnight lies in the period).
    const firstDay = Math.floor(periodStart / DAY) * DAY + DAY;
    const usage = await call(
      "GET",
      `/api/v1/billing/usage?start_date=${isoDay(firstDay)}&end_date=${isoDay(now)}`,
      { token: user.token },
    );
    expect(usage.status).toBe(200);
    const credits = (started[0]?.cost ?? 0) + (started[1]?.cost ?? 0);
    const days: { bytes: number; daysInMonth: number }[] = [];
    for (let day = firstDay; day <= Math.floor(now / DAY) * DAY; day += DAY) {
      const d = new Date(day);
      days.push({
        bytes,
        daysInMonth: new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
      });
    }
    const storageInFen = storageFen(days);
    const storage = storageInFen / 100;
    expect(storage).toBeGreaterThan(0.5);
    expect(usage.body).toMatchObject({
      user_id: user.id,
      period: { start: isoDay(firstDay), end: isoDay(now) },
      usage: { video_exports: 2, total_duration: 39, storage_used: bytes },
      costs: { video_exports: credits, storage, total: Math.round((credits + storage) * 100) / 100 },
    });
    // API calls as the rate limiter counted them: every request of this test, plus at most one lease.
    expect(usage.body.usage.api_calls).toBeGreaterThanOrEqual(9);
    // (A lease is at most 1/20 of the hourly limit: 50 permits on professional.)
    expect(usage.body.usage.api_calls).toBeLessThanOrEqual(9 + 1000 / 20 + 5);
    // The credit ledger: two commits, two refunds, and what it nets to is what the exports cost.
    expect(await rowCount("credit_ledger", "owner_id = ? AND kind = 'commit'", user.id)).toBe(2);
    expect(await rowCount("credit_ledger", "owner_id = ? AND kind = 'refund'", user.id)).toBe(2);
    const net = await env.DB.prepare(
      "SELECT SUM(amount) AS n FROM credit_ledger WHERE owner_id = ? AND export_id IS NOT NULL",
    )
      .bind(user.id)
      .first<{ n: number }>();
    expect(-(net?.n ?? 0)).toBe(Math.round(credits * 100));

    // The period ends; two cron runs at once issue one invoice (a context whose clock is past the end).
    const ctx = createContext(env, { clock: () => periodEnd + 60_000 });
    const issued = await Promise.all([issueDueInvoices(ctx), issueDueInvoices(ctx)]);
    expect(issued.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    await runScheduled(env, periodEnd + 120_000);
    const invoices = await call("GET", "/api/v1/billing/invoices", { token: user.token });
    expect(invoices.body.total).toBe(1);
    const invoice = invoices.body.items[0];
    expect(invoice).toMatchObject({
      kind: "period",
      period: isoDay(periodStart).slice(0, 7),
      subscription_amount: 299,
      storage_amount: storage,
      export_credits_used: credits,
      amount: (29_900 + storageInFen) / 100,
      status: "open",
      paid_at: null,
      currency: "CNY",
    });
    expect(Date.parse(invoice.period_start)).toBe(Math.floor(periodStart / 1000) * 1000);
    // The details hold facts, never money (that is in the amount columns, in fen).
    expect(invoice.details).toMatchObject({ tier: "professional", video_exports: 2, video_seconds: 39 });
    expect(JSON.stringify(invoice.details)).not.toMatch(/\d\.\d/);
    const stored = await env.DB.prepare(
      "SELECT subscription_amount, storage_amount, usage_amount, amount FROM invoices WHERE id = ?",
    )
      .bind(invoice.invoice_id)
      .first();
    expect(stored).toEqual({
      subscription_amount: 29_900,
      storage_amount: storageInFen,
      usage_amount: -(net?.n ?? 0),
      amount: 29_900 + storageInFen,
    });

    // Stripe was asked for exactly that, line by line, and what the customer paid is recorded as such.
    const collected = await waitForPayUrl(user, invoice.invoice_id);
    const [remote] = stripe.invoicesFor(invoice.invoice_id);
    expect(
      remote?.lines.data.map((l: { metadata: { sds_line: string }; amount: number }) => [
        l.metadata.sds_line,
        l.amount,
      ]),
    ).toEqual([
      ["subscription", 29_900],
      ["storage", storageInFen],
    ]);
    expect(remote?.total).toBe(29_900 + storageInFen);
    const lineCalls = stripe
      .writes()
      .filter(
        (w) =>
          w.path === "/v1/invoiceitems" &&
          (w.params.metadata as Record<string, string>).sds_invoice_id === String(invoice.invoice_id),
      );
    expect(lineCalls.map((w) => [w.params.amount, w.params.currency])).toEqual([
      ["29900", "cny"],
      [String(storageInFen), "cny"],
    ]);
    expect(collected.pay_url).toBe(remote?.hosted_invoice_url);
    const paid = await signedEvent("invoice.paid", stripe.payAsCustomer(remote?.id));
    expect((await postStripeEvent(paid)).body.outcome).toBe("applied");
    const settled = await env.DB.prepare("SELECT status, amount, amount_paid FROM invoices WHERE id = ?")
      .bind(invoice.invoice_id)
      .first();
    expect(settled).toEqual({
      status: "paid",
      amount: 29_900 + storageInFen,
      amount_paid: 29_900 + storageInFen,
    });
    const next = await env.DB.prepare("SELECT billing_period_start FROM subscriptions WHERE user_id = ?")
      .bind(user.id)
      .first<{ billing_period_start: number }>();
    expect(next?.billing_period_start).toBe(periodEnd);
  });

  it("refuses bad ranges with clear errors", async () => {
    const user = await newUser();
    const get = (q: string) => call("GET", `/api/v1/billing/usage?${q}`, { token: user.token });
    expectStudioError(await get("start_date=yesterday"), 422, "VALIDATION_ERROR");
    expect(expectStudioError(await get("start_date=2026-02-30"), 400, "BAD_REQUEST").detail).toMatch(
      /start_date/,
    );
    expect(
      expectStudioError(await get("start_date=2026-03-01&end_date=2026-02-01"), 400, "BAD_REQUEST").detail,
    ).toMatch(/before/);
    expectStudioError(await get("start_date=2020-01-01&end_date=2026-01-01"), 400, "BAD_REQUEST");
    expectStudioError(await get("foo=1"), 422, "VALIDATION_ERROR");
    const fresh = await get("");
    expect(fresh.body).toMatchObject({
      usage: { video_exports: 0, total_duration: 0, storage_used: 0 },
      costs: { video_exports: 0, storage: 0, total: 0 },
    });
    expect((await call("GET", "/api/v1/billing/invoices", { token: user.token })).body).toEqual({
      total: 0,
      items: [],
    });
  });
});
