import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

/** Secrets for the test Worker only; real ones come from .dev.vars (dev) or `wrangler secret put`. */
export const TEST_SECRETS = {
  JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
  PASSWORD_PEPPER: "test-pepper-0123456789abcdef",
  CREDENTIALS_KEYS: "v1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  RENDERER_SECRET: "test-renderer-secret-0123456789abcdef",
  FILES_SIGNING_SECRET: "test-files-secret-0123456789abcdef",
  WEBHOOK_SIGNING_SECRET: "test-webhook-secret-0123456789abcdef",
};

export default defineConfig(async () => {
  const migrations = await readD1Migrations("migrations");
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            ...TEST_SECRETS,
            APP_ENV: "test",
            TEST_MIGRATIONS: migrations,
            WORKFLOW_RETRY_BASE_SECONDS: "1",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      globalSetup: ["test/setup/image-fixtures.ts"],
      setupFiles: ["test/setup/apply-migrations.ts"],
      testTimeout: 30_000,
      hookTimeout: 30_000,
    },
  };
});
