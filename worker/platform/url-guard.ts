import { badRequest } from "./errors";

/**
 * Outbound URLs we are asked to call (n8n webhooks) must be public http(s) endpoints: no loopback,
 * private, link-local, CGNAT, metadata or internal names, in any spelling the URL parser accepts
 * (`http://2130706433/` and `http://0x7f000001/` parse to 127.0.0.1). Production Workers cannot
 * reach private addresses anyway; this refuses them before any request is made, everywhere.
 * Names that merely resolve to private addresses cannot be checked from a Worker (no DNS API);
 * redirects are never followed by the caller.
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

export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host.startsWith("[")) return isPrivateIPv6(host.slice(1, -1));
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (v4) return isPrivateIPv4(v4.slice(1).map(Number) as [number, number, number, number]);
  if (!host.includes(".")) return true; // single-label names resolve inside a network, never on the internet
  return ["localhost", "local", "internal", "intranet", "lan", "home", "corp", "localdomain"].some(
    (suffix) => host === suffix || host.endsWith(`.${suffix}`),
  );
}

function isPrivateIPv4([a, b]: [number, number, number, number]): boolean {
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

function isPrivateIPv6(addr: string): boolean {
  const a = addr.toLowerCase();
  if (a === "::" || a === "::1") return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped?.[1]) return isPrivateHost(mapped[1]);
  if (/^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(a)) return true; // mapped IPv4 in hex form
  return (
    /^f[cd]/.test(a) ||
    /^fe[89ab]/.test(a) ||
    /^ff/.test(a) ||
    a.startsWith("64:ff9b:") ||
    a.startsWith("2001:db8")
  );
}
