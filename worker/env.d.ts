// Secrets are not in wrangler.toml, so `wrangler types` cannot see them: they are declared here.
// Local values are generated into .dev.vars by `npm run dev`; production values come from
// `wrangler secret put` (see docs/configuration.md).
interface Secrets {
  /** HS256 key for access tokens. */
  JWT_SECRET: string;
  /** The key that signed tokens before the last rotation; accepted until their `exp`. */
  JWT_SECRET_PREVIOUS?: string;
  /** Secret mixed into every password hash, so a leaked D1 alone cannot be brute-forced. */
  PASSWORD_PEPPER: string;
  /** Versioned AES-GCM keys for platform credentials: "v2:base64,v1:base64"; the first encrypts. */
  CREDENTIALS_KEYS: string;
  /** Shared HMAC secret between the Worker and the renderer. */
  RENDERER_SECRET: string;
  /** Signs /files/... download URLs and upload tokens. */
  FILES_SIGNING_SECRET: string;
  /** Signs outbound n8n triggers. */
  WEBHOOK_SIGNING_SECRET: string;
  /** Stripe secret key (`sk_...`). Without it invoices are not collected online (docs/payments.md). */
  STRIPE_SECRET_KEY?: string;
  /** Signing secret (`whsec_...`) of the Stripe webhook endpoint /api/v1/billing/stripe/webhook. */
  STRIPE_WEBHOOK_SECRET?: string;
}

/**
 * Bindings a deployment may add: Workers AI (`[ai] binding = "AI"`), the edge default provider
 * when the owner configured none (core/generation/choice.ts). Not in wrangler.toml by default, so
 * local runs and tests stay offline.
 */
interface OptionalBindings {
  AI?: {
    run(model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
  };
}

interface Env extends Secrets, OptionalBindings {}

declare namespace Cloudflare {
  interface Env extends Secrets, OptionalBindings {}
}
