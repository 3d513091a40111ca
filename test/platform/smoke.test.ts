import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("health", () => {
  it("answers ok with D1 reachable", async () => {
    const res = await exports.default.fetch("https://api.test/health");
    expect(res.status).toBe(200);
    const body = await res.json<{ status: string; checks: { d1: string } }>();
    expect(body.status).toBe("ok");
    expect(body.checks.d1).toBe("ok");
  });
});
