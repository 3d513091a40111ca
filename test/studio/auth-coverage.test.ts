import { describe, expect, it } from "vitest";
import { adminToken } from "../helpers/billing";
import { call, expectStudioError, newUser } from "../helpers/http";

/** Routes anyone may call. A new route is either here or requires a token: this test enforces it. */
const PUBLIC = new Set([
  "GET /health",
  "POST /api/v1/auth/register",
  "POST /api/v1/auth/login",
  "POST /api/v1/auth/refresh",
  "GET /api/openapi.json",
  "GET /api/docs",
  // Authenticated otherwise, and tested where they live: the socket by its ?token (closes 4401,
  // test/studio/workflow-live), downloads by their signature (test/platform/files), the
  // renderer's endpoints by upload tokens and HMAC (test/studio/exports).
  "GET /ws/progress/{workflow_id}",
  "GET /files/{key}",
  "HEAD /files/{key}",
  "PUT /internal/uploads/{token}",
  "POST /internal/uploads/{token}",
  "POST /internal/renders/{export_id}/events",
  // Stripe's deliveries, authenticated by their signature (test/studio/payments).
  "POST /api/v1/billing/stripe/webhook",
]);

const SAMPLE_PARAMS: Record<string, string> = {
  project_id: "550e8400-e29b-41d4-a716-446655440000",
  key_id: "key_abcdef",
};

function samplePath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => SAMPLE_PARAMS[name] ?? "1");
}

describe("every route requires authentication unless it is public", () => {
  it("answers 401 without a token on every protected route of the OpenAPI document", async () => {
    const doc = (await call("GET", "/api/openapi.json")).body as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const seenPublic = new Set<string>();
    let protectedCount = 0;
    for (const [template, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const key = `${method.toUpperCase()} ${template}`;
        if (!op.security?.length) {
          expect(PUBLIC.has(key), `${key} declares no security and is not in the public list`).toBe(true);
          seenPublic.add(key);
          continue;
        }
        protectedCount++;
        const res = await call(method.toUpperCase(), samplePath(template), {
          json: method === "get" ? undefined : {},
        });
        expect(res.status, key).toBe(401);
        if (template.startsWith("/api/v1/")) expectStudioError(res, 401, "UNAUTHORIZED");
        else expect(res.body).toMatchObject({ code: 401, data: null });
        expect(res.headers.get("WWW-Authenticate")).toContain("Bearer");
      }
    }
    expect(seenPublic).toEqual(PUBLIC);
    expect(protectedCount).toBeGreaterThan(5);
  });
});

describe("operator routes need the admin scope", () => {
  it("answers 403 to a user's JWT and to an API key with every scope, on every /api/v1/admin route", async () => {
    const doc = (await call("GET", "/api/openapi.json")).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([template]) => template.startsWith("/api/v1/admin/"))
      .flatMap(([template, ops]) => Object.keys(ops).map((m) => ({ method: m.toUpperCase(), template })));
    expect(routes.length).toBeGreaterThan(0);
    const user = await newUser("not-admin");
    const key = await call("POST", "/api/v1/auth/api-keys", {
      token: user.token,
      json: { name: "all scopes", scopes: ["studio", "automation", "worker", "webhooks"] },
    });
    const admin = await adminToken();
    const adminKey = await call("POST", "/api/v1/auth/api-keys", {
      token: admin,
      json: { name: "operator's key", scopes: ["studio", "automation", "worker", "webhooks"] },
    });
    for (const { method, template } of routes) {
      const path = samplePath(template);
      for (const token of [user.token, key.body.key, adminKey.body.key]) {
        const res = await call(method, path, { token, json: method === "GET" ? undefined : {} });
        expectStudioError(res, 403, "FORBIDDEN");
      }
      // The operator passes the scope check (the sample id does not exist).
      expectStudioError(await call(method, path, { token: admin, json: {} }), 404, "NOT_FOUND");
    }
  });
});
