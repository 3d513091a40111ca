import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseRange, signedFileUrl } from "../../worker/platform/files";
import { ORIGIN } from "../helpers/http";

const SECRET = env.FILES_SIGNING_SECRET;

async function get(url: string, headers: Record<string, string> = {}, method = "GET") {
  const res = await exports.default.fetch(new Request(url, { method, headers }));
  return { res, bytes: new Uint8Array(await res.arrayBuffer()) };
}

async function stored(size: number, contentType = "video/mp4") {
  const key = `users/1/projects/${crypto.randomUUID()}/exports/1/video.mp4`;
  const data = Uint8Array.from({ length: size }, (_, i) => i % 251);
  await env.BUCKET.put(key, data, { httpMetadata: { contentType } });
  return { key, data };
}

describe("signed /files URLs", () => {
  it("serves the object with its stored type, nosniff and a sandbox CSP", async () => {
    const { key, data } = await stored(1000);
    const url = await signedFileUrl(SECRET, ORIGIN, key, Date.now());
    const { res, bytes } = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("video/mp4");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("sandbox");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    expect(res.headers.get("content-disposition")).toBe("inline");
    expect(bytes).toEqual(data);
  });

  it("answers Range requests with 206 and the exact bytes, 416 when unsatisfiable", async () => {
    const { key, data } = await stored(5000);
    const url = await signedFileUrl(SECRET, ORIGIN, key, Date.now());
    const mid = await get(url, { Range: "bytes=100-199" });
    expect(mid.res.status).toBe(206);
    expect(mid.res.headers.get("content-range")).toBe("bytes 100-199/5000");
    expect(mid.res.headers.get("content-length")).toBe("100");
    expect(mid.bytes).toEqual(data.slice(100, 200));
    const open = await get(url, { Range: "bytes=4990-" });
    expect(open.bytes).toEqual(data.slice(4990));
    const suffix = await get(url, { Range: "bytes=-10" });
    expect(suffix.res.headers.get("content-range")).toBe("bytes 4990-4999/5000");
    expect(suffix.bytes).toEqual(data.slice(4990));
    const beyond = await get(url, { Range: "bytes=6000-" });
    expect(beyond.res.status).toBe(416);
    expect(beyond.res.headers.get("content-range")).toBe("bytes */5000");
    const head = await get(url, { Range: "bytes=0-9" }, "HEAD");
    expect([head.res.status, head.bytes.length, head.res.headers.get("content-length")]).toEqual([
      206,
      0,
      "10",
    ]);
  });

  it("supports conditional requests and download names", async () => {
    const { key } = await stored(10);
    const url = await signedFileUrl(SECRET, ORIGIN, key, Date.now(), { downloadName: "我的短剧.mp4" });
    const first = await get(url);
    expect(first.res.headers.get("content-disposition")).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent("我的短剧.mp4")}`,
    );
    const again = await get(url, { "If-None-Match": first.res.headers.get("etag") ?? "" });
    expect(again.res.status).toBe(304);
  });

  it("refuses edited, foreign, expired and unsigned URLs", async () => {
    const { key } = await stored(10);
    const other = await stored(10);
    const url = new URL(await signedFileUrl(SECRET, ORIGIN, key, Date.now()));
    const edited = new URL(url);
    edited.pathname = `/files/${other.key}`;
    const longer = new URL(url);
    longer.searchParams.set("exp", String(Number(url.searchParams.get("exp")) + 86400));
    const renamed = new URL(url);
    renamed.searchParams.set("download", "x.html");
    for (const bad of [edited, longer, renamed, new URL(`${ORIGIN}/files/${key}`)]) {
      const { res } = await get(bad.toString());
      expect(res.status).toBe(403);
      expect((await get(bad.toString())).res.headers.get("content-type") ?? "").toContain("application/json");
    }
    const old = await signedFileUrl(SECRET, ORIGIN, key, Date.now() - 3 * 3600_000);
    const expired = await get(old);
    expect(expired.res.status).toBe(403);
    expect(new TextDecoder().decode(expired.bytes)).toContain("expired");
    const missing = await get(
      await signedFileUrl(SECRET, ORIGIN, `users/1/nothing-${crypto.randomUUID()}`, Date.now()),
    );
    expect(missing.res.status).toBe(404);
  });

  it("parses ranges as RFC 9110 says", () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange("bytes=0-0", 10)).toEqual({ offset: 0, length: 1 });
    expect(parseRange("bytes=5-100", 10)).toEqual({ offset: 5, length: 5 });
    expect(parseRange("bytes=-100", 10)).toEqual({ offset: 0, length: 10 });
    expect(parseRange("bytes=0-1,4-5", 10)).toBeNull();
    expect(parseRange("bytes=7-3", 10)).toBe("unsatisfiable");
    expect(parseRange("bytes=-0", 10)).toBe("unsatisfiable");
    expect(parseRange("items=0-1", 10)).toBeNull();
  });
});
