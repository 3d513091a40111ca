import { defineConfig } from "vitest/config";

/**
 * Unit tests of pure core modules, in Node: no workerd, no bindings. What they import must not
 * reach platform code (Worker bindings, wasm imports); the Worker tests cover the rest in workerd.
 */
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    environment: "node",
  },
});
