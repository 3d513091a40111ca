import { defineConfig } from "vitest/config";

/**
 * The tools' tests, in Node: the set-up's decision and probe, the dev supervisor (real wrangler dev,
 * real redis-server), and the documentation's links and length.
 */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // The supervisor tests each start a wrangler dev; two at once on two cores only slow both.
    fileParallelism: false,
  },
});
