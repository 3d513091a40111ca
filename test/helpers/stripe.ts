import { env } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import Stripe from "stripe";

/**
 * Stripe at its HTTP boundary, for Worker tests: the endpoints the collection job calls, with the
 * request and response shapes of Stripe's API reference —
 *   customers      https://docs.stripe.com/api/customers/create, /api/customers/list
 *   invoices       https://docs.stripe.com/api/invoices/create, /retrieve, /list, /finalize, /pay,
 *                  /void, /delete; the object: https://docs.stripe.com/api/invoices/object
 *   invoice items  https://docs.stripe.com/api/invoiceitems/create
 *   errors         https://docs.stripe.com/api/errors
 * — and idempotency as https://docs.stripe.com/api/idempotent_requests describes it: a key's first
 * response is saved and replayed to every retry with that key; the same key with other
 * parameters is a 400 `idempotency_error`. Requests are form-encoded (`metadata[k]=v`), as the
 * official package sends them. Every call is recorded, so tests can count what reached Stripe.
 */
export const STRIPE_API = "https://api.stripe.com";

export interface StripeCall {
  method: string;
  path: string;
  idempotencyKey: string | null;
  params: Record<string, unknown>;
  /** The answer came from the idempotency store (a retry). */
  replayed: boolean;
}

type Obj = Record<string, any>;

/** Form body → nested object (`a[b]=c` → `{a: {b: "c"}}`). */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const parts = key.replace(/\]/g, "").split("[");
    let node = out;
    for (const p of parts.slice(0, -1)) node = node[p] ??= {};
    node[parts[parts.length - 1] as string] = value;
  }
  return out;
}

let counter = 0;
const newId = (prefix: string) => `${prefix}_test${(++counter).toString(36).padStart(8, "0")}`;
const seconds = () => Math.floor(Date.now() / 1000);

function stripeError(status: number, type: string, message: string, code?: string) {
  return HttpResponse.json({ error: { type, message, ...(code ? { code } : {}) } }, { status });
}

export interface Fault {
  /** Which call fails. */
  match: (call: { method: string; path: string }) => boolean;
  /** How many times. */
  times: number;
  /** `lost`: Stripe does the work, then the connection drops before the answer (the hard case). */
  kind: "lost" | "unavailable";
}

export class FakeStripe {
  readonly customers = new Map<string, Obj>();
  readonly invoices = new Map<string, Obj>();
  readonly items = new Map<string, Obj>();
  readonly calls: StripeCall[] = [];
  private readonly saved = new Map<string, { body: string; status: number; answer: unknown }>();
  private readonly faults: Fault[] = [];
  /** A stray line Stripe adds to each new draft (someone's pending item): totals then differ from ours. */
  strayLine: number | null = null;

  fail(fault: Fault): void {
    this.faults.push(fault);
  }

  /** Invoices made for one of ours (by the `sds_invoice_id` metadata the job sets). */
  invoicesFor(ourInvoiceId: number): Obj[] {
    return [...this.invoices.values()].filter((i) => i.metadata?.sds_invoice_id === String(ourInvoiceId));
  }

  writes(): StripeCall[] {
    return this.calls.filter((c) => c.method !== "GET");
  }

  /** The customer pays on the hosted page: what Stripe's invoice becomes (for the webhook). */
  payAsCustomer(stripeInvoiceId: string): Obj {
    const inv = this.mustInvoice(stripeInvoiceId);
    if (inv.status !== "open" && inv.status !== "uncollectible")
      throw new Error(`cannot pay a ${inv.status} invoice`);
    Object.assign(inv, { status: "paid", amount_paid: inv.amount_due, amount_remaining: 0, paid: true });
    inv.status_transitions.paid_at = seconds();
    return structuredClone(inv);
  }

  markUncollectible(stripeInvoiceId: string): Obj {
    const inv = this.mustInvoice(stripeInvoiceId);
    inv.status = "uncollectible";
    inv.status_transitions.marked_uncollectible_at = seconds();
    return structuredClone(inv);
  }

  private mustInvoice(id: string): Obj {
    const inv = this.invoices.get(id);
    if (!inv) throw new Error(`no Stripe invoice ${id}`);
    return inv;
  }

  private fault(call: { method: string; path: string }): Fault | undefined {
    const f = this.faults.find((x) => x.times > 0 && x.match(call));
    if (f) f.times--;
    return f;
  }

  handlers() {
    const route = (
      method: "get" | "post" | "delete",
      path: string,
      act: (params: Record<string, any>, pathParams: Record<string, string>, url: URL) => Response | Obj,
    ) =>
      http[method](`${STRIPE_API}${path}`, async ({ request, params: pathParams }) => {
        const url = new URL(request.url);
        // Read as bytes: workerd warns when a form body is read with text().
        const text =
          method === "get" ? url.search.slice(1) : new TextDecoder().decode(await request.arrayBuffer());
        const params = parseForm(text);
        const key = request.headers.get("Idempotency-Key");
        const call = { method: method.toUpperCase(), path: url.pathname };
        const fault = this.fault(call);
        if (fault?.kind === "unavailable") {
          this.calls.push({ ...call, idempotencyKey: key, params, replayed: false });
          return stripeError(503, "api_error", "Stripe is temporarily unavailable");
        }
        let answer: { status: number; answer: unknown };
        const saved = key && method !== "get" ? this.saved.get(key) : undefined;
        if (saved) {
          this.calls.push({ ...call, idempotencyKey: key, params, replayed: true });
          if (saved.body !== `${call.method} ${call.path} ${text}`) {
            return stripeError(
              400,
              "idempotency_error",
              "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            );
          }
          answer = saved;
        } else {
          this.calls.push({ ...call, idempotencyKey: key, params, replayed: false });
          const result = act(params, pathParams as Record<string, string>, url);
          answer =
            result instanceof Response
              ? { status: result.status, answer: await result.clone().json() }
              : { status: 200, answer: structuredClone(result) };
          if (key && method !== "get")
            this.saved.set(key, { body: `${call.method} ${call.path} ${text}`, ...answer });
        }
        if (fault?.kind === "lost") return HttpResponse.error();
        return HttpResponse.json(answer.answer as Obj, { status: answer.status });
      });

    const list = (data: Obj[], url: string) => ({ object: "list", data, has_more: false, url });
    const missing = (what: string, id: string) =>
      stripeError(404, "invalid_request_error", `No such ${what}: '${id}'`, "resource_missing");
    const recompute = (inv: Obj) => {
      const total = inv.lines.data.reduce((s: number, l: Obj) => s + l.amount, 0);
      Object.assign(inv, {
        subtotal: total,
        total,
        amount_due: total,
        amount_remaining: total - inv.amount_paid,
      });
      inv.lines.total_count = inv.lines.data.length;
    };

    return [
      route("post", "/v1/customers", (p) => {
        const c = {
          id: newId("cus"),
          object: "customer",
          email: p.email ?? null,
          name: p.name ?? null,
          metadata: p.metadata ?? {},
          balance: 0,
          created: seconds(),
          livemode: false,
        };
        this.customers.set(c.id, c);
        return c;
      }),
      route("get", "/v1/customers", (p) =>
        list(
          [...this.customers.values()].filter((c) => !p.email || c.email === p.email),
          "/v1/customers",
        ),
      ),
      route("post", "/v1/invoices", (p) => {
        if (!this.customers.has(p.customer)) return missing("customer", p.customer);
        const id = newId("in");
        const inv: Obj = {
          id,
          object: "invoice",
          customer: p.customer,
          currency: p.currency,
          collection_method: p.collection_method,
          days_until_due: p.days_until_due ? Number(p.days_until_due) : null,
          due_date: null,
          auto_advance: p.auto_advance === "true",
          description: p.description ?? null,
          metadata: p.metadata ?? {},
          status: "draft",
          number: null,
          subtotal: 0,
          total: 0,
          amount_due: 0,
          amount_paid: 0,
          amount_remaining: 0,
          hosted_invoice_url: null,
          invoice_pdf: null,
          lines: {
            object: "list",
            data: [],
            has_more: false,
            total_count: 0,
            url: `/v1/invoices/${id}/lines`,
          },
          status_transitions: {
            finalized_at: null,
            paid_at: null,
            voided_at: null,
            marked_uncollectible_at: null,
          },
          created: seconds(),
          livemode: false,
        };
        if (this.strayLine !== null) {
          inv.lines.data.push({
            id: newId("il"),
            object: "line_item",
            amount: this.strayLine,
            currency: p.currency,
            metadata: {},
          });
          recompute(inv);
        }
        this.invoices.set(id, inv);
        return inv;
      }),
      route("get", "/v1/invoices", (p) =>
        list(
          [...this.invoices.values()].filter((i) => !p.customer || i.customer === p.customer),
          "/v1/invoices",
        ),
      ),
      route("get", "/v1/invoices/:id", (_p, { id = "" }) => this.invoices.get(id) ?? missing("invoice", id)),
      route("delete", "/v1/invoices/:id", (_p, { id = "" }) => {
        const inv = this.invoices.get(id);
        if (!inv) return missing("invoice", id);
        if (inv.status !== "draft") {
          return stripeError(
            400,
            "invalid_request_error",
            "You can only delete draft invoices.",
            "invoice_not_editable",
          );
        }
        this.invoices.delete(id);
        return { id, object: "invoice", deleted: true };
      }),
      route("post", "/v1/invoiceitems", (p) => {
        const inv = this.invoices.get(p.invoice);
        if (!inv) return missing("invoice", p.invoice);
        if (inv.status !== "draft") {
          return stripeError(400, "invalid_request_error", "Invoice is not a draft.", "invoice_not_editable");
        }
        const item = {
          id: newId("ii"),
          object: "invoiceitem",
          amount: Number(p.amount),
          currency: p.currency,
          customer: p.customer,
          invoice: p.invoice,
          description: p.description ?? null,
          metadata: p.metadata ?? {},
          date: seconds(),
          livemode: false,
        };
        this.items.set(item.id, item);
        inv.lines.data.push({
          id: newId("il"),
          object: "line_item",
          amount: item.amount,
          currency: item.currency,
          description: item.description,
          invoice: inv.id,
          metadata: item.metadata,
        });
        recompute(inv);
        return item;
      }),
      route("post", "/v1/invoices/:id/finalize", (_p, { id = "" }) => {
        const inv = this.invoices.get(id);
        if (!inv) return missing("invoice", id);
        if (inv.status !== "draft") {
          return stripeError(
            400,
            "invalid_request_error",
            "This invoice is already finalized.",
            "invoice_not_editable",
          );
        }
        const now = seconds();
        Object.assign(inv, {
          status: "open",
          auto_advance: true,
          number: `SDS-${String(this.invoices.size).padStart(4, "0")}`,
          due_date: now + (inv.days_until_due ?? 0) * 86_400,
          hosted_invoice_url: `https://invoice.stripe.com/i/acct_1TestSds/test_${id}`,
          invoice_pdf: `https://pay.stripe.com/invoice/acct_1TestSds/test_${id}/pdf`,
        });
        inv.status_transitions.finalized_at = now;
        return inv;
      }),
      route("post", "/v1/invoices/:id/pay", (p, { id = "" }) => {
        const inv = this.invoices.get(id);
        if (!inv) return missing("invoice", id);
        if (inv.status === "paid")
          return stripeError(
            400,
            "invalid_request_error",
            "Invoice is already paid.",
            "invoice_already_paid",
          );
        if (p.paid_out_of_band !== "true") {
          return stripeError(
            402,
            "card_error",
            "The customer has no attached payment source.",
            "invoice_no_customer_line_items",
          );
        }
        Object.assign(inv, { status: "paid", paid_out_of_band: true, amount_remaining: 0 });
        inv.status_transitions.paid_at = seconds();
        return inv;
      }),
      route("post", "/v1/invoices/:id/void", (_p, { id = "" }) => {
        const inv = this.invoices.get(id);
        if (!inv) return missing("invoice", id);
        if (inv.status !== "open" && inv.status !== "uncollectible") {
          return stripeError(400, "invalid_request_error", `You cannot void a ${inv.status} invoice.`);
        }
        inv.status = "void";
        inv.status_transitions.voided_at = seconds();
        return inv;
      }),
    ];
  }
}

/**
 * A Stripe event as its webhook delivers it (https://docs.stripe.com/api/events/object), signed
 * with the package's own test helper as Stripe signs deliveries
 * (https://docs.stripe.com/webhooks#verify-events): `Stripe-Signature: t=…,v1=…`.
 */
export async function signedEvent(
  type: string,
  object: Obj,
  opts: { id?: string; timestamp?: number; secret?: string } = {},
) {
  const event = {
    id: opts.id ?? newId("evt"),
    object: "event",
    api_version: Stripe.API_VERSION,
    created: opts.timestamp ?? seconds(),
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  const body = JSON.stringify(event);
  const signature = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload: body,
    secret: opts.secret ?? env.STRIPE_WEBHOOK_SECRET ?? "",
    ...(opts.timestamp !== undefined ? { timestamp: opts.timestamp } : {}),
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return { id: event.id, body, signature };
}
