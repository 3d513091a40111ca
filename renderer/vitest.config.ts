import { defineConfig } from "vitest/config";

/** Renderer tests run in Node against a real ffmpeg and a real redis-server (started in globalSetup). */
export default defineConfig({
  test: {
    root: import.meta.dirname,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/setup/redis.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Renders are CPU-bound; running files in parallel on two cores only makes each slower.
    fileParallelism: false,
  },
});
