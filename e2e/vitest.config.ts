import { defineConfig } from "vitest/config";

/**
 * End-to-end: the real stack (wrangler dev with local D1/R2/DO/Queues, the renderer on BullMQ and a
 * real redis-server) started once in globalSetup and shared by every file.
 */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["**/*.test.ts"],
    globalSetup: ["setup/stack.ts"],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
