import { z } from "zod";
import { clip, ProviderError, redact } from "../errors";

/**
 * MiniMax (platform.minimax.io) answers HTTP 200 for most failures and puts the outcome in
 * `base_resp: {status_code, status_msg}`; 0 is success. The codes that matter to us are mapped
 * onto the closed set; any other non-zero code is a refusal with MiniMax's message.
 */
export const MINIMAX_BASE_URL = "https://api.minimax.io";

export const BaseResp = z.object({ status_code: z.number(), status_msg: z.string().nullish() });

export function minimaxError(
  base: z.infer<typeof BaseResp> | null | undefined,
  secrets: readonly string[],
): ProviderError | null {
  if (!base || base.status_code === 0) return null;
  const reason = redact(clip(base.status_msg ?? "no reason given"), secrets);
  const message = `MiniMax ${base.status_code}: ${reason}`;
  const opts = { vendorReason: reason };
  switch (base.status_code) {
    case 1002:
    case 1039:
      return new ProviderError("rate_limited", `MiniMax is rate limiting this account: ${message}`, opts);
    case 1004:
    case 2049:
      return new ProviderError("bad_credentials", `MiniMax rejected the credentials: ${message}`, opts);
    case 1001:
      return new ProviderError("timeout", `MiniMax timed out: ${message}`, opts);
    case 1000:
    case 1013:
    case 1024:
    case 1033:
      return new ProviderError("provider_unavailable", `MiniMax is unavailable: ${message}`, opts);
    default:
      return new ProviderError("refused", `MiniMax refused the request: ${message}`, opts);
  }
}

/** `?GroupId=` for accounts that still carry a group id (older MiniMax keys need it). */
export function groupQuery(groupId: string | undefined): string {
  return groupId ? `?GroupId=${encodeURIComponent(groupId)}` : "";
}

export function hexToBytes(hex: string): Uint8Array | null {
  const clean = hex.trim();
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return null;
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}
