import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { credentialsSchema } from "../../worker/providers/credentials";
import { redact, retryAfterSeconds } from "../../worker/providers/errors";
import { guardedFetch } from "../../worker/providers/http";
import { PLATFORM_IDS, PLATFORMS } from "../../worker/providers/platforms";
import { PriceOverridesSchema, priceTable, unitPrice } from "../../worker/providers/prices";
import { adapterFor, defaultModel } from "../../worker/providers/registry";
import { requestHash, stableJson } from "../../worker/providers/request-hash";
import { PROVIDER_KINDS } from "../../worker/providers/types";
import { server } from "../helpers/msw";
import { CANARY, providerError, recorder } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("request hash", () => {
  it("is stable across key order, hashes bytes by content and ignores schemas", async () => {
    const a = { model: "m", prompt: "p", refs: [{ bytes: new Uint8Array([1, 2, 3]) }], schema: z.object({}) };
    const b = { refs: [{ bytes: new Uint8Array([1, 2, 3]) }], prompt: "p", model: "m" };
    expect(await requestHash(a)).toBe(await requestHash(b));
    expect(await requestHash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(await requestHash({ ...b, refs: [{ bytes: new Uint8Array([1, 2, 4]) }] })).not.toBe(
      await requestHash(b),
    );
    expect(await stableJson({ b: 1, a: undefined, c: [undefined] })).toBe('{"b":1,"c":[null]}');
  });
});

describe("errors", () => {
  it("redacts a credential in its plain, URL-encoded and base64 spellings", () => {
    const key = "sk-abc+/=123456";
    const text = `key ${key} q=${encodeURIComponent(key)} basic ${btoa(key)}`;
    expect(redact(text, [key])).toBe("key *** q=*** basic ***");
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    expect(retryAfterSeconds("12")).toBe(12);
    expect(
      retryAfterSeconds(new Date(Date.UTC(2026, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2026, 0, 1)),
    ).toBe(30);
    expect(retryAfterSeconds("soon")).toBeUndefined();
  });
});

describe("guarded fetch", () => {
  const make = (maxBytes = 1024) =>
    guardedFetch({
      vendor: "Test vendor",
      fetch: (i, init) => fetch(i, init),
      timeoutMs: 5_000,
      maxBytes,
      secrets: [CANARY],
      allowPrivate: false,
    });

  it("follows a public redirect and refuses one to a private host before requesting it", async () => {
    const rec = recorder();
    server.use(
      http.get(
        "https://a.example.com/file",
        () => new HttpResponse(null, { status: 302, headers: { location: "https://b.example.com/file" } }),
      ),
      http.get("https://b.example.com/file", () => HttpResponse.text("ok")),
      http.get(
        "https://a.example.com/evil",
        () => new HttpResponse(null, { status: 302, headers: { location: "http://192.168.1.1/admin" } }),
      ),
      http.get(
        "http://192.168.1.1/admin",
        rec.record(() => HttpResponse.text("secret")),
      ),
    );
    expect(await (await make()("https://a.example.com/file")).text()).toBe("ok");
    await providerError(make()("https://a.example.com/evil"), "refused");
    expect(rec.requests).toHaveLength(0);
  });

  it("refuses a declared Content-Length over the cap without reading the body", async () => {
    server.use(
      http.get(
        "https://a.example.com/big",
        () => new HttpResponse("x".repeat(10), { headers: { "content-length": "99999999" } }),
      ),
    );
    await providerError(make()("https://a.example.com/big"), "malformed_response");
  });

  it("never sends credentials in a URL's userinfo", async () => {
    await providerError(make()(`https://user:${CANARY}@a.example.com/`), "refused");
  });
});

describe("registry", () => {
  it("lists the automation API's documented platforms first, then every other supported one", () => {
    expect(PLATFORM_IDS.slice(0, 3)).toEqual(["dreamina", "midjourney", "runway"]);
    for (const id of [
      "openai",
      "openai_compatible",
      "workers_ai",
      "ark",
      "fal",
      "kling",
      "minimax",
      "vidu",
      "dashscope",
      "elevenlabs",
    ]) {
      expect(PLATFORM_IDS).toContain(id);
    }
  });

  it("has an adapter for every kind a platform claims (Midjourney excepted), and a default model", () => {
    for (const id of PLATFORM_IDS) {
      const info = PLATFORMS[id];
      expect(info.reachableFromHere).toBe(false);
      for (const kind of PROVIDER_KINDS) {
        const adapter = adapterFor(id, kind);
        if (info.externalOnly || !info.kinds.includes(kind)) expect(adapter, `${id}/${kind}`).toBeNull();
        else {
          expect(adapter, `${id}/${kind}`).not.toBeNull();
          expect(adapter!.kind).toBe(kind);
          expect(unitPrice(id, kind, (defaultModel(id, kind) ?? "*") as string)).not.toBeNull();
        }
      }
    }
    expect(PLATFORMS.midjourney.notes).toMatch(/no public API/);
    expect(adapterFor("nope", "image")).toBeNull();
  });

  it("validates credentials per platform; base_url passes the SSRF guard", () => {
    expect(
      credentialsSchema("kling").safeParse({ access_key: "ak-12345678", secret_key: "sk-12345678" }).success,
    ).toBe(true);
    expect(credentialsSchema("kling").safeParse({ api_key: "sk-12345678" }).success).toBe(false);
    expect(credentialsSchema("openai_compatible").safeParse({ api_key: "k-12345678" }).success).toBe(false);
    expect(
      credentialsSchema("openai_compatible").safeParse({
        api_key: "k-12345678",
        base_url: "https://api.deepseek.com/v1",
      }).success,
    ).toBe(true);
    expect(
      credentialsSchema("openai").safeParse({ api_key: "k-12345678", base_url: "http://[::1]:8080/v1" })
        .success,
    ).toBe(false);
    expect(
      credentialsSchema("openai_compatible", { allowPrivateBaseUrls: true }).safeParse({
        base_url: "http://127.0.0.1:11434/v1",
      }).success,
    ).toBe(true);
    expect(credentialsSchema("workers_ai").safeParse({}).success).toBe(true);
  });

  it("prices are integer hundredths; overrides win and are validated", () => {
    expect(unitPrice("ark", "video", "doubao-seedance-1-0-pro-250528")).toEqual({
      unit: "video_second",
      hundredths: 100,
    });
    expect(unitPrice("openai_compatible", "llm", "deepseek-chat")).toEqual({
      unit: "llm_1k_tokens",
      hundredths: 2,
    });
    expect(
      unitPrice("ark", "video", "doubao-seedance-1-0-pro-250528", {
        ark: { "doubao-seedance-1-0-pro-250528": 1.35 },
      }),
    ).toEqual({ unit: "video_second", hundredths: 135 });
    expect(unitPrice("fal", "image", "unknown-model")).toBeNull();
    expect(PriceOverridesSchema.safeParse({ ark: { x: 0.005 } }).success).toBe(false);
    expect(PriceOverridesSchema.safeParse({ nope: { x: 1 } }).success).toBe(false);
    for (const row of priceTable()) expect(Number.isInteger(row.hundredths)).toBe(true);
  });
});
