import { describe, expect, it } from "vitest";
import { AppError } from "../../worker/platform/errors";
import { assertPublicHttpUrl, isPrivateHost } from "../../worker/platform/url-guard";

/**
 * The SSRF guard, table-driven from the URL a client sends: the WHATWG parser
 * first normalises it (IPv4 in any notation becomes dotted decimal, IPv6 is compressed to hex), so
 * every spelling below reaches the guard in the form the Worker would fetch.
 */
const REFUSED: [url: string, why: string][] = [
  // IPv4 in every notation the URL parser accepts.
  ["http://127.0.0.1/", "loopback"],
  ["http://127.1/", "loopback, short form"],
  ["http://2130706433/", "loopback, one decimal number"],
  ["http://0x7f000001/", "loopback, hex"],
  ["http://0x7f.0.0.1/", "loopback, hex first octet"],
  ["http://017700000001/", "loopback, octal"],
  ["http://0177.0.0.01/", "loopback, octal octets"],
  ["http://127.0.0.1:6379/", "loopback, Redis port"],
  ["http://0.0.0.0/", "this network"],
  ["http://10.0.0.5/", "RFC 1918"],
  ["http://172.16.0.1/", "RFC 1918"],
  ["http://172.31.255.255/", "RFC 1918, top"],
  ["http://192.168.1.1/", "RFC 1918"],
  ["http://169.254.169.254/", "link-local, cloud metadata"],
  ["http://100.64.0.1/", "CGNAT"],
  ["http://192.0.0.8/", "IETF protocol assignments"],
  ["http://192.0.2.1/", "documentation"],
  ["http://198.18.0.1/", "benchmarking"],
  ["http://198.51.100.7/", "documentation"],
  ["http://203.0.113.9/", "documentation"],
  ["http://192.88.99.1/", "6to4 relay anycast"],
  ["http://224.0.0.1/", "multicast"],
  ["http://240.0.0.1/", "reserved"],
  ["http://255.255.255.255/", "broadcast"],
  // IPv6 ranges that are not the public internet.
  ["http://[::]/", "unspecified"],
  ["http://[::1]/", "loopback"],
  ["http://[0:0:0:0:0:0:0:1]/", "loopback, long form"],
  ["http://[fe80::1]/", "link-local"],
  ["http://[febf::1]/", "link-local, top"],
  ["http://[fec0::1]/", "site-local (deprecated, fec0::/10)"],
  ["http://[feff::1]/", "site-local, top"],
  ["http://[fc00::1]/", "unique local"],
  ["http://[fd00::1]/", "unique local"],
  ["http://[ff02::1]/", "multicast"],
  ["http://[2001:db8::1]/", "documentation"],
  ["http://[100::1]/", "discard-only"],
  // IPv4 embedded in IPv6.
  ["http://[::127.0.0.1]/", "IPv4-compatible (::/96), loopback"],
  ["http://[::8.8.8.8]/", "IPv4-compatible (::/96), any address: deprecated, never routed"],
  ["http://[::a9fe:a9fe]/", "IPv4-compatible (::/96), metadata in hex"],
  ["http://[::ffff:127.0.0.1]/", "IPv4-mapped (::ffff:0:0/96)"],
  ["http://[::ffff:7f00:1]/", "IPv4-mapped, hex"],
  ["http://[::ffff:8.8.8.8]/", "IPv4-mapped, any address: only reachable as IPv4"],
  ["http://[::ffff:0:127.0.0.1]/", "IPv4-translated (::ffff:0:0:0/96)"],
  ["http://[64:ff9b::127.0.0.1]/", "NAT64 (64:ff9b::/96) of loopback"],
  ["http://[64:ff9b::a00:5]/", "NAT64 of 10.0.0.5"],
  ["http://[64:ff9b:1::8.8.8.8]/", "local-use NAT64 (64:ff9b:1::/48)"],
  ["http://[2002:7f00:1::]/", "6to4 (2002::/16) of 127.0.0.1"],
  ["http://[2002:a9fe:a9fe::1]/", "6to4 of 169.254.169.254"],
  ["http://[2002:c0a8:101::]/", "6to4 of 192.168.1.1"],
  ["http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "Teredo (2001::/32), client 127.0.0.1 (obfuscated)"],
  ["http://[2001:0:7f00:1::]/", "Teredo, server 127.0.0.1"],
  ["http://[2001:0:808:808:0:0:f5ff:fffa]/", "Teredo, client 10.0.0.5 (obfuscated)"],
  // Internal names.
  ["http://localhost/", "localhost"],
  ["http://api.localhost/", "localhost subdomain"],
  ["http://metadata/", "single-label name"],
  ["http://n8n.internal/", "internal suffix"],
  ["http://printer.local./", "mDNS, trailing dot"],
];

const ALLOWED: [url: string, why: string][] = [
  ["https://n8n.example.com/webhook/abc", "public name"],
  ["http://8.8.8.8/", "public IPv4"],
  ["http://172.32.0.1/", "just above RFC 1918"],
  ["http://[2606:4700::1111]/", "public IPv6"],
  ["http://[64:ff9b::808:808]/", "NAT64 of a public address (8.8.8.8)"],
  ["http://[2002:808:808::1]/", "6to4 of a public address (8.8.8.8)"],
  ["http://[2001:0:4136:e378:8000:63bf:f7f7:f7f7]/", "Teredo: public server and client (8.8.8.8)"],
  ["https://api.openai.com/v1", "a provider base URL"],
];

function refusal(url: string): string | null {
  try {
    assertPublicHttpUrl(url, { allowPrivate: false });
    return null;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.code).toBe("BAD_REQUEST");
    return err.message;
  }
}

describe("the SSRF guard", () => {
  it.each(REFUSED)("refuses %s (%s)", (url) => {
    expect(refusal(url)).toMatch(/private, loopback or internal/);
    expect(isPrivateHost(new URL(url).hostname)).toBe(true);
  });

  it.each(ALLOWED)("allows %s (%s)", (url) => {
    expect(refusal(url)).toBeNull();
    expect(isPrivateHost(new URL(url).hostname)).toBe(false);
  });

  it("refuses other schemes and credentials, and allows private hosts only when told to", () => {
    for (const url of [
      "file:///etc/passwd",
      "gopher://127.0.0.1:6379/",
      "data:text/plain,hi",
      "ftp://x.com/",
    ])
      expect(refusal(url), url).toMatch(/Only http and https/);
    expect(refusal("https://user:pw@example.com/")).toMatch(/credentials/);
    expect(refusal("not a url")).toMatch(/Not a valid URL/);
    expect(assertPublicHttpUrl("http://[::127.0.0.1]:5678/hook", { allowPrivate: true }).port).toBe("5678");
  });

  it("sees the normalised host the parser hands it", () => {
    // What the guard receives for the spellings of the issue: compressed hex, never the input text.
    expect(new URL("http://[::127.0.0.1]/").hostname).toBe("[::7f00:1]");
    expect(new URL("http://[::ffff:0:127.0.0.1]/").hostname).toBe("[::ffff:0:7f00:1]");
    expect(new URL("http://0x7f000001/").hostname).toBe("127.0.0.1");
  });
});
