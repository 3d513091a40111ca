import { env } from "cloudflare:workers";
import { call, type TestUser, uniqueIp } from "./http";
import { waitUntil } from "./workflows";

/** Billing fixtures: the operator account, Stripe webhook deliveries, invoices and subscriptions. */

const ADMIN_EMAIL = "ops@admin.test";
let admin: Promise<string> | undefined;

/** A JWT of the operator listed in ADMIN_EMAILS (vitest.config.ts), registered once per test file. */
export function adminToken(): Promise<string> {
  admin ??= (async () => {
    const ip = uniqueIp();
    const password = "OperatorPassword123!";
    const reg = await call("POST", "/api/v1/auth/register", {
      json: { email: ADMIN_EMAIL, password, username: "ops" },
      ip,
    });
    if (reg.status !== 200 && reg.body?.detail !== "Email already registered") {
      throw new Error(`admin register failed ${reg.status} ${reg.text}`);
    }
    const login = await call("POST", "/api/v1/auth/login", { form: { username: ADMIN_EMAIL, password }, ip });
    if (login.status !== 200) throw new Error(`admin login failed ${login.status} ${login.text}`);
    return login.body.access_token as string;
  })();
  return admin;
}

export function postStripeEvent(delivery: { body: string; signature?: string | undefined }) {
  return call("POST", "/api/v1/billing/stripe/webhook", {
    body: delivery.body,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      ...(delivery.signature !== undefined ? { "Stripe-Signature": delivery.signature } : {}),
    },
  });
}

export async function invoicesOf(user: Pick<TestUser, "token">) {
  const res = await call("GET", "/api/v1/billing/invoices?limit=100", { token: user.token });
  if (res.status !== 200) throw new Error(`invoices ${res.status} ${res.text}`);
  return res.body.items as Record<string, any>[];
}

export async function invoiceOf(user: Pick<TestUser, "token">, invoiceId: number) {
  const found = (await invoicesOf(user)).find((i) => i.invoice_id === invoiceId);
  if (!found) throw new Error(`no invoice ${invoiceId}`);
  return found;
}

/** Waits until the collection job has put the invoice on Stripe (its pay_url is set). */
export async function waitForPayUrl(user: Pick<TestUser, "token">, invoiceId: number, timeoutMs = 25_000) {
  await waitUntil(
    async () => (await invoiceOf(user, invoiceId)).pay_url !== null,
    timeoutMs,
    `pay_url of ${invoiceId}`,
  );
  return invoiceOf(user, invoiceId);
}

/** The same read from D1, for tests that must not let a request evaluate the account at today's date. */
export async function waitForStripe(invoiceId: number, timeoutMs = 25_000) {
  await waitUntil(
    async () =>
      !!(
        await env.DB.prepare("SELECT hosted_invoice_url FROM invoices WHERE id = ?")
          .bind(invoiceId)
          .first<{ hosted_invoice_url: string | null }>()
      )?.hosted_invoice_url,
    timeoutMs,
    `invoice ${invoiceId} on Stripe`,
  );
}

/** Sets subscription columns directly: a test's way of moving a subscription's dates. */
export async function setSubscription(userId: number, columns: Record<string, number | string | null>) {
  const names = Object.keys(columns);
  await env.DB.prepare(
    `UPDATE subscriptions SET ${names.map((n) => `${n} = ?`).join(", ")} WHERE user_id = ?`,
  )
    .bind(...names.map((n) => columns[n]), userId)
    .run();
}

export async function subscriptionRow(userId: number) {
  return env.DB.prepare("SELECT * FROM subscriptions WHERE user_id = ?")
    .bind(userId)
    .first<Record<string, any>>();
}

export async function invoiceRows(userId: number) {
  const { results } = await env.DB.prepare("SELECT * FROM invoices WHERE owner_id = ? ORDER BY id")
    .bind(userId)
    .all<Record<string, any>>();
  return results;
}

export async function upgrade(user: Pick<TestUser, "token">, tier: string, cycle = "monthly") {
  const res = await call("POST", "/api/v1/subscriptions/upgrade", {
    token: user.token,
    json: { tier, billing_cycle: cycle },
  });
  if (res.status !== 200) throw new Error(`upgrade to ${tier} failed ${res.status} ${res.text}`);
  return res.body;
}

/** Storage cost in fen as the invoice rule states it, computed independently of the Worker's code. */
export function storageFen(days: { bytes: number; daysInMonth: number }[]): number {
  // Σ bytes × 1000 fen / (GiB × days in month), as an exact fraction over a common denominator.
  const GIB = 1024n ** 3n;
  const common = 28n * 29n * 30n * 31n;
  let num = 0n;
  for (const d of days) num += BigInt(d.bytes) * 1000n * (common / BigInt(d.daysInMonth));
  const den = GIB * common;
  return Number((2n * num + den) / (2n * den));
}
