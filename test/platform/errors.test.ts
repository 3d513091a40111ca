import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../worker/entries/app";
import { call, expectStudioError, newUser } from "../helpers/http";

describe("error surfaces", () => {
  it("answers unknown studio routes in the studio format", async () => {
    const res = await call("GET", "/api/v1/nothing-here");
    const body = expectStudioError(res, 404, "NOT_FOUND");
    expect(Object.keys(body).sort()).toEqual(["detail", "error_code", "timestamp"]);
    expectStudioError(await call("GET", "/definitely/not/here"), 404, "NOT_FOUND");
  });

  it("answers unknown automation routes in the {code, msg, data} envelope", async () => {
    for (const path of ["/api/unknown", "/projects/1/unknown-action", "/api/tasks/1/nope"]) {
      const res = await call("GET", path);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ code: 404, msg: "Not found", data: null });
    }
  });

  it("answers a wrong method with 405 and Allow", async () => {
    const res = await call("PATCH", "/api/v1/projects");
    const body = expectStudioError(res, 405, "METHOD_NOT_ALLOWED");
    expect(body.detail).toBe("Method PATCH not allowed");
    expect(res.headers.get("Allow")).toBe("GET, HEAD, POST");
  });

  it("ignores X-HTTP-Method-Override", async () => {
    const user = await newUser();
    const created = await call("POST", "/api/v1/projects", { token: user.token, json: { name: "keep" } });
    const res = await call("POST", `/api/v1/projects/${created.body.id}`, {
      token: user.token,
      headers: { "X-HTTP-Method-Override": "DELETE" },
    });
    expect(res.status).toBe(405);
    expect((await call("GET", `/api/v1/projects/${created.body.id}`, { token: user.token })).status).toBe(
      200,
    );
  });

  it("adds a request id and nosniff to every response, and echoes a sane client request id", async () => {
    const res = await call("GET", "/health", { headers: { "X-Request-Id": "client-req-12345" } });
    expect(res.headers.get("X-Request-Id")).toBe("client-req-12345");
    expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const weird = await call("GET", "/health", { headers: { "X-Request-Id": "<script>" } });
    expect(weird.headers.get("X-Request-Id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("never leaks stack traces or SQL in error bodies", async () => {
    const user = await newUser();
    const probes = [
      await call("GET", "/api/v1/projects?status=x'%20OR%201=1--", { token: user.token }),
      await call("POST", "/api/v1/projects", { token: user.token, json: { name: "\u0000".repeat(10) } }),
      await call("POST", "/api/v1/projects", {
        token: user.token,
        json: { ["__proto__"]: { admin: true }, name: "p" },
      }),
      await call("POST", "/api/v1/projects", {
        token: user.token,
        json: JSON.parse('{"name": {"$gt": ""}}'),
      }),
    ];
    for (const res of probes) {
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toMatch(/at \w+ \(|SQLITE|sqlite|SELECT |\.ts:\d+/);
    }
  });
});

describe("CORS", () => {
  it("answers preflights and exposes the rate-limit headers", async () => {
    const res = await call("OPTIONS", "/api/v1/projects", {
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(res.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const get = await call("GET", "/health", { headers: { Origin: "https://app.example" } });
    expect(get.headers.get("Access-Control-Expose-Headers")).toContain("RateLimit-Remaining");
    expect(get.headers.get("Access-Control-Expose-Headers")).toContain("Retry-After");
  });
});

describe("body limits", () => {
  it("refuses a body over 2 MiB with 413, by Content-Length or counted when chunked, writing nothing", async () => {
    const user = await newUser();
    const big = JSON.stringify({ name: "big", script: "剧".repeat(800_000) });
    const res = await call("POST", "/api/v1/projects", {
      token: user.token,
      body: big,
      headers: { "Content-Type": "application/json" },
    });
    expectStudioError(res, 413, "PAYLOAD_TOO_LARGE");
    const bytes = new TextEncoder().encode(big);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 65536) controller.enqueue(bytes.slice(i, i + 65536));
        controller.close();
      },
    });
    const streamed = await call("POST", "/api/v1/projects", {
      token: user.token,
      body: chunked,
      headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
    });
    expectStudioError(streamed, 413, "PAYLOAD_TOO_LARGE");
    expect((await call("GET", "/api/v1/projects", { token: user.token })).body.total).toBe(0);
  });
});

describe("CORS with a configured origin list", () => {
  it("echoes only allowed origins, with Vary: Origin, and never allows credentials", async () => {
    const app = buildApp();
    const configured = { ...env, CORS_ORIGINS: "https://app.example, https://studio.example" };
    const preflight = (origin: string) =>
      app.request(
        "/api/v1/projects",
        { method: "OPTIONS", headers: { Origin: origin, "Access-Control-Request-Method": "GET" } },
        configured,
      );
    const ok = await preflight("https://studio.example");
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe("https://studio.example");
    expect(ok.headers.get("Vary")).toContain("Origin");
    expect(ok.headers.get("Access-Control-Allow-Credentials")).toBeNull();
    const evil = await preflight("https://evil.example");
    expect(evil.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });
});
