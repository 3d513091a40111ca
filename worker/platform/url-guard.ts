import { badRequest } from "./errors";

/**
 * The one guard for every outbound URL we are told to call: n8n webhooks today, AI provider base
 * URLs next. It must be a public http(s) endpoint: no loopback, private, link-local, CGNAT,
 * metadata or internal names, in any spelling the URL parser accepts (`http://2130706433/` and
 * `http://0x7f000001/` parse to 127.0.0.1, `http://[::127.0.0.1]/` to `[::7f00:1]`), and no IPv6
 * form that carries an IPv4 address inside it (compatible, mapped, translated, NAT64, 6to4,
 * Teredo) unless that address is public. Production Workers cannot reach private addresses
 * anyway; this refuses them before any request is made, everywhere. Names that merely resolve to
 * private addresses cannot be checked from a Worker (no DNS API); callers never follow redirects.
 */
export function assertPublicHttpUrl(raw: string, opts: { allowPrivate: boolean }): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badRequest(`Not a valid URL: ${raw.slice(0, 200)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw badRequest("Only http and https URLs are allowed");
  if (url.username || url.password) throw badRequest("URLs with credentials are not allowed");
  if (!opts.allowPrivate && isPrivateHost(url.hostname)) {
    throw badRequest("URLs pointing at private, loopback or internal addresses are not allowed");
  }
  return url;
}

const INTERNAL_SUFFIXES = [
  "localhost",
  "local",
  "internal",
  "intranet",
  "lan",
  "home",
  "corp",
  "localdomain",
];

/** A URL's hostname as `new URL()` leaves it (`[v6]` in brackets, IPv4 in dotted decimal). */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host.startsWith("[")) {
    const groups = parseIPv6(host.slice(1, -1));
    return groups === null || isPrivateIPv6(groups);
  }
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return isPrivateIPv4(v4.slice(1).map(Number) as Octets);
  if (!host.includes(".")) return true; // single-label names resolve inside a network, never on the internet
  return INTERNAL_SUFFIXES.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
}

type Octets = [number, number, number, number];

/** Every IPv4 range that is not the public internet (RFC 6890 special-purpose registry). */
function isPrivateIPv4([a, b, c]: Octets): boolean {
  return (
    a === 0 || // this network
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) || // CGNAT
    (a === 169 && b === 254) || // link-local, cloud metadata
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) || // IETF assignments (192.0.0/24), documentation (192.0.2/24)
    (a === 192 && b === 88 && c === 99) || // 6to4 relay anycast
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    (a === 198 && b === 51 && c === 100) || // documentation
    (a === 203 && b === 0 && c === 113) || // documentation
    a >= 224 // multicast, reserved, broadcast
  );
}

/**
 * Eight 16-bit groups, or null if this is not an IPv6 address. Hand-written because the runtime
 * has no address parser (no `node:net` isIP ranges in Workers) and the input is already the URL
 * parser's canonical form, so only `::` and a dotted IPv4 tail need expanding.
 */
function parseIPv6(text: string): number[] | null {
  let addr = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(addr);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = (dotted[2] ?? "").split(".").map(Number);
    if ([a, b, c, d].some((n) => n > 255)) return null;
    tail.push((a << 8) | b, (c << 8) | d);
    const head = dotted[1] ?? "";
    addr = head.endsWith("::") ? head : head.slice(0, -1);
  }
  const halves = addr.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  if ([...head, ...rest].some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null;
  const zeros = 8 - head.length - rest.length - tail.length;
  if (halves.length === 1 ? zeros !== 0 : zeros < 0) return null;
  const hex = (g: string) => Number.parseInt(g, 16);
  return [...head.map(hex), ...Array<number>(Math.max(0, zeros)).fill(0), ...rest.map(hex), ...tail];
}

function v4Of(hi: number, lo: number): Octets {
  return [hi >> 8, hi & 255, lo >> 8, lo & 255];
}

function isPrivateIPv6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  // ::/96 (unspecified, loopback, IPv4-compatible), ::ffff:0:0/96 (mapped), ::ffff:0:0:0/96
  // (translated): never a public IPv6 destination, whatever IPv4 address they carry.
  if (zeroTo(6)) return true;
  if (zeroTo(5) && g5 === 0xffff) return true;
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return true;
  // NAT64: the well-known prefix 64:ff9b::/96 reaches the IPv4 inside it; 64:ff9b:1::/48 is local use.
  if (g0 === 0x64 && g1 === 0xff9b) {
    if (g2 === 1) return true;
    if (g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isPrivateIPv4(v4Of(g6, g7));
  }
  // 6to4 (2002::/16): the IPv4 of the tunnel endpoint is in bits 16-48.
  if (g0 === 0x2002) return isPrivateIPv4(v4Of(g1, g2));
  // Teredo (2001::/32): the server's IPv4 in bits 32-64, the client's inverted in the last 32.
  if (g0 === 0x2001 && g1 === 0) {
    return isPrivateIPv4(v4Of(g2, g3)) || isPrivateIPv4(v4Of(~g6 & 0xffff, ~g7 & 0xffff));
  }
  return (
    (g0 & 0xfe00) === 0xfc00 || // unique local fc00::/7
    (g0 & 0xffc0) === 0xfe80 || // link-local fe80::/10
    (g0 & 0xffc0) === 0xfec0 || // site-local fec0::/10 (deprecated, still routed inside sites)
    (g0 & 0xff00) === 0xff00 || // multicast
    (g0 === 0x2001 && g1 === 0xdb8) || // documentation
    (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) // discard-only 100::/64
  );
}
