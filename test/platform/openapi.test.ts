import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

type Operation = { security?: unknown[]; responses: Record<string, unknown> };
type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
};

describe("OpenAPI document", () => {
  it("is OpenAPI 3.1 generated from the zod schemas, with bearer auth and error responses", async () => {
    const res = await call<Doc>("GET", "/api/openapi.json");
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes).toHaveProperty("bearerAuth");
    for (const path of [
      "/api/v1/auth/register",
      "/api/v1/auth/login",
      "/api/v1/projects",
      "/api/v1/projects/{project_id}",
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    expect(Object.keys(doc.paths["/api/v1/auth/login"]?.post ?? {})).toContain("requestBody");
    expect(JSON.stringify(doc.paths["/api/v1/auth/login"])).toContain("application/x-www-form-urlencoded");
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        // The progress socket's success is the upgrade itself.
        expect(op.responses, `${method} ${path}`).toHaveProperty(path.startsWith("/ws/") ? "101" : "200");
        expect(op.responses, `${method} ${path}`).toHaveProperty("500");
      }
    }
    expect(doc.components.schemas).toHaveProperty("StudioError");
  });

  it("serves interactive docs", async () => {
    const res = await call("GET", "/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toContain("text/html");
    expect(res.text).toContain("/api/openapi.json");
  });
});

describe("OpenAPI completeness", () => {
  it("documents every route the app serves, on both surfaces", async () => {
    const { buildApp } = await import("../../worker/entries/app");
    const app = buildApp();
    const doc = (await call<Doc>("GET", "/api/openapi.json")).body;
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
      ),
    );
    const served = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map(
          (r) =>
            `${r.method} ${r.path.replace(/:([A-Za-z_]+)(\{[^}]*\})?/g, "{$1}").replace("/files/*", "/files/{key}")}`,
        ),
    );
    const missing = [...served].filter((r) => !documented.has(r)).sort();
    expect(missing).toEqual([]);
  });
});

describe("OpenAPI examples", () => {
  it("shows an example for every JSON request and answer", async () => {
    const doc = (await call("GET", "/api/openapi.json")).body as {
      paths: Record<string, Record<string, any>>;
      components: { schemas: Record<string, unknown> };
    };
    const hasExample = (node: unknown, seen = new Set<string>()): boolean => {
      if (!node || typeof node !== "object") return false;
      const ref = (node as { $ref?: string }).$ref;
      if (ref) {
        const name = ref.split("/").pop() ?? "";
        if (seen.has(name)) return false;
        seen.add(name);
        return hasExample(doc.components.schemas[name], seen);
      }
      if ("example" in node || "examples" in node) return true;
      return Object.values(node).some((v) => hasExample(v, seen));
    };
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const answer = op.responses?.["200"] ?? op.responses?.["101"];
        const sides: [string, Record<string, unknown>][] = [
          ["body", op.requestBody?.content ?? {}],
          ["answer", answer?.content ?? {}],
        ];
        for (const [side, content] of sides) {
          for (const [type, media] of Object.entries(content)) {
            if (type.includes("json") && !hasExample(media))
              missing.push(`${method.toUpperCase()} ${path} ${side}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
