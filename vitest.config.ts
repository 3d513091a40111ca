import { readFile } from "node:fs/promises";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig, type Plugin } from "vitest/config";

/**
 * The `stripe` package ships source maps whose sources it does not ship, and Vite warns about each
 * of its ~40 modules on every run: its files are loaded without their map comment instead.
 */
const stripeWithoutSourceMaps: Plugin = {
  name: "stripe-without-source-maps",
  enforce: "pre",
  async load(id) {
    if (!/\/node_modules\/stripe\/.+\.js$/.test(id)) return null;
    const code = await readFile(id.split("?")[0] as string, "utf8");
    return { code: code.replace(/^\/\/# sourceMappingURL=.*$/m, ""), map: null };
  },
};

/** Secrets for the test Worker only; real ones come from .dev.vars (dev) or `wrangler secret put`. */
export const TEST_SECRETS = {
  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
  PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
  CREDENTIALS_KEYS: "v1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  RENDERER_SECRET: "test-renderer-secret-0123456789abcdef",
  FILES_SIGNING_SECRET: "test-files-secret-0123456789abcdef",
  WEBHOOK_SIGNING_SECRET: "test-webhook-secret-0123456789abcdef",
  // Stripe is configured in the Worker tests (its API is faked at the HTTP boundary, test/helpers/stripe.ts);
  // the local default without keys is tested by passing an env without them.
  STRIPE_SECRET_KEY: "sk_test_sds_0123456789abcdefghijklmn",
  STRIPE_WEBHOOK_SECRET: "whsec_test_0123456789abcdefghijklmnopqrstuv",
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    plugins: [
      stripeWithoutSourceMaps,
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...TEST_SECRETS,
            APP_ENV: "test",
            ADMIN_EMAILS: "ops@admin.test",
            TEST_MIGRATIONS: migrations,
            WORKFLOW_RETRY_BASE_SECONDS: "1",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      // Pure unit tests run in Node (vitest.unit.config.ts).
      exclude: ["test/unit/**"],
      globalSetup: ["test/setup/image-fixtures.ts"],
      setupFiles: ["test/setup/apply-migrations.ts"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
});
