import Stripe from "stripe";

/**
 * The calls this project makes to Stripe, and nothing else: no business rule lives here (what to
 * collect and when is core/billing's). Built on the official `stripe` package with its fetch HTTP
 * client and its Web Crypto provider, the two pieces that run inside a Worker.
 *
 * Every write carries an `Idempotency-Key` derived from our own ids, so a retry — by the package
 * after a dropped connection, or by the queue redelivering a job — gets the object the first
 * attempt created instead of a second one (https://docs.stripe.com/api/idempotent_requests).
 * Stripe keeps keys for 24 hours; past that, the collection job finds what it created by the
 * `sds_*` metadata before creating anything (see core/billing/collection.ts).
 */

/** The API version the package is pinned to; requests and webhook payloads use it. */
export const STRIPE_API_VERSION = Stripe.API_VERSION;

/** The replay window of webhook signatures, in seconds (Stripe's default tolerance). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** Our view of a Stripe invoice: what the collection and the webhook decide on. */
export interface StripeInvoiceView {
  id: string;
  status: string;
  customer: string | null;
  total: number;
  amountPaid: number;
  /** Marked paid in Stripe without a payment through it (its dashboard, or our operator). */
  paidOutOfBand: boolean;
  hostedInvoiceUrl: string | null;
  ourInvoiceId: number | null;
  /** The `sds_line` keys of the invoice's lines (first page; we add at most two). */
  lineKeys: string[];
}

export function invoiceView(inv: Stripe.Invoice): StripeInvoiceView {
  const ours = Number(inv.metadata?.sds_invoice_id);
  return {
    id: inv.id ?? "",
    status: inv.status ?? "draft",
    customer: typeof inv.customer === "string" ? inv.customer : (inv.customer?.id ?? null),
    total: inv.total,
    amountPaid: inv.amount_paid,
    paidOutOfBand: (inv as { paid_out_of_band?: boolean }).paid_out_of_band === true,
    hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
    ourInvoiceId: Number.isSafeInteger(ours) && ours > 0 ? ours : null,
    lineKeys: (inv.lines?.data ?? []).map((l) => l.metadata?.sds_line ?? "").filter(Boolean),
  };
}

const clients = new Map<string, Stripe>();

function client(secretKey: string): Stripe {
  let c = clients.get(secretKey);
  if (!c) {
    c = new Stripe(secretKey, {
      apiVersion: STRIPE_API_VERSION,
      // Looked up per request rather than captured: the fetch in scope is the one that must be used.
      httpClient: Stripe.createFetchHttpClient((input, init) => fetch(input, init)),
      maxNetworkRetries: 2,
      timeout: 20_000,
      appInfo: { name: "short-drama-studio" },
    });
    clients.set(secretKey, c);
  }
  return c;
}

/** Stripe for this deployment, or null when no secret key is configured (the local default). */
export function stripeGateway(env: Pick<Env, "STRIPE_SECRET_KEY">): StripeGateway | null {
  const key = env.STRIPE_SECRET_KEY?.trim();
  return key ? new StripeGateway(client(key)) : null;
}

const idem = (...parts: (string | number)[]) => ({ idempotencyKey: ["sds", ...parts].join("-") });

export class StripeGateway {
  constructor(private readonly stripe: Stripe) {}

  async createCustomer(userId: number, who: { email: string; name: string }): Promise<string> {
    const customer = await this.stripe.customers.create(
      { email: who.email, name: who.name, metadata: { sds_user_id: String(userId) } },
      idem("customer", userId),
    );
    return customer.id;
  }

  /** A customer made for this user earlier (found by email, matched by our metadata). */
  async findCustomer(userId: number, email: string): Promise<string | null> {
    const page = await this.stripe.customers.list({ email, limit: 100 });
    return page.data.find((c) => c.metadata?.sds_user_id === String(userId))?.id ?? null;
  }

  async createInvoice(
    invoiceId: number,
    p: { customerId: string; daysUntilDue: number; description: string; userId: number },
  ): Promise<StripeInvoiceView> {
    const inv = await this.stripe.invoices.create(
      {
        customer: p.customerId,
        currency: "cny",
        // The customer pays on Stripe's hosted invoice page; no card is needed on file.
        collection_method: "send_invoice",
        days_until_due: p.daysUntilDue,
        // Lines are added before we finalize; Stripe must not finalize a half-built draft.
        auto_advance: false,
        pending_invoice_items_behavior: "exclude",
        description: p.description,
        metadata: { sds_invoice_id: String(invoiceId), sds_user_id: String(p.userId) },
      },
      idem("invoice", invoiceId),
    );
    return invoiceView(inv);
  }

  /** An invoice made for ours earlier (listed by customer, matched by our metadata). */
  async findInvoice(customerId: string, invoiceId: number): Promise<StripeInvoiceView | null> {
    const page = await this.stripe.invoices.list({ customer: customerId, limit: 100 });
    const found = page.data.find((i) => i.metadata?.sds_invoice_id === String(invoiceId));
    return found ? invoiceView(found) : null;
  }

  async retrieveInvoice(stripeInvoiceId: string): Promise<StripeInvoiceView> {
    return invoiceView(await this.stripe.invoices.retrieve(stripeInvoiceId));
  }

  async addLine(
    invoiceId: number,
    line: { key: string; customerId: string; stripeInvoiceId: string; amount: number; description: string },
  ): Promise<void> {
    await this.stripe.invoiceItems.create(
      {
        customer: line.customerId,
        invoice: line.stripeInvoiceId,
        currency: "cny",
        amount: line.amount,
        description: line.description,
        metadata: { sds_invoice_id: String(invoiceId), sds_line: line.key },
      },
      idem("invoice", invoiceId, "line", line.key),
    );
  }

  async finalize(invoiceId: number, stripeInvoiceId: string): Promise<StripeInvoiceView> {
    const inv = await this.stripe.invoices.finalizeInvoice(
      stripeInvoiceId,
      // From here Stripe may send the invoice and its reminders by email.
      { auto_advance: true },
      idem("invoice", invoiceId, "finalize"),
    );
    return invoiceView(inv);
  }

  /** Records in Stripe a payment made outside it (an operator marked ours paid). */
  async payOutOfBand(invoiceId: number, stripeInvoiceId: string): Promise<StripeInvoiceView> {
    const inv = await this.stripe.invoices.pay(
      stripeInvoiceId,
      { paid_out_of_band: true },
      idem("invoice", invoiceId, "paid-out-of-band"),
    );
    return invoiceView(inv);
  }

  /** Drops a draft that was never finalized (deleting a draft is how Stripe discards one). */
  async deleteDraft(stripeInvoiceId: string): Promise<void> {
    await this.stripe.invoices.del(stripeInvoiceId);
  }

  async void(invoiceId: number, stripeInvoiceId: string): Promise<StripeInvoiceView> {
    const inv = await this.stripe.invoices.voidInvoice(
      stripeInvoiceId,
      {},
      idem("invoice", invoiceId, "void"),
    );
    return invoiceView(inv);
  }
}

/** Why a webhook request was refused. */
export class StripeSignatureError extends Error {}

/**
 * Verifies a webhook delivery with the package (HMAC-SHA256 over `timestamp.body`, constant-time,
 * timestamp within {@link WEBHOOK_TOLERANCE_SECONDS} of `now`) and returns its event.
 */
export async function verifyStripeEvent(
  secret: string,
  body: string,
  signature: string,
  now: number,
): Promise<Stripe.Event> {
  try {
    return await Stripe.webhooks.constructEventAsync(
      body,
      signature,
      secret,
      WEBHOOK_TOLERANCE_SECONDS,
      Stripe.createSubtleCryptoProvider(),
      now,
    );
  } catch (err) {
    throw new StripeSignatureError(err instanceof Error ? err.message : String(err));
  }
}

export type StripeEvent = Stripe.Event;
