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

interface Env extends Secrets {}

declare namespace Cloudflare {
  interface Env extends Secrets {}
}
