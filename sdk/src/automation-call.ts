import type { Transport } from "./http";

export type Id = number | string;

/** Calls of the automation API: envelope `{code, msg, data}` unwrapped to `data`, errors thrown. */
export function call<T>(
  http: Transport,
  method: string,
  path: string,
  json?: unknown,
  query?: Record<string, unknown>,
) {
  return http.request<T>(method, path, {
    envelope: true,
    ...(json !== undefined ? { json } : {}),
    ...(query ? { query } : {}),
  });
}
