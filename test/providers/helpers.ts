import { expect } from "vitest";
import { ProviderError } from "../../worker/providers/errors";
import type { ProviderDeps } from "../../worker/providers/types";

/**
 * Shared pieces of the provider tests. Vendors are outside the system, so they are answered by
 * msw at the HTTP boundary with the shapes their API references document; the adapters run as
 * they would in production, through the AI SDK where they use it.
 */
export const CANARY = "sk-canary-5f1e2d3c4b5a69788796a5b4";
export const CANARY_SECRET = "canary-secret-0a1b2c3d4e5f60718293";

/** fetch is looked up per call: msw replaces globalThis.fetch when the server starts listening. */
export function deps(extra: Partial<ProviderDeps> = {}): ProviderDeps {
  return { fetch: (input, init) => fetch(input, init), now: () => Date.UTC(2026, 11, 1), ...extra };
}

const u32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

/** A PNG signature and IHDR of the given size: what the header check reads (no pixels needed). */
export function png(width: number, height: number): Uint8Array {
  return new Uint8Array([
    0x89,
    0x50,
    0x4e,
    0x47,
    0x0d,
    0x0a,
    0x1a,
    0x0a,
    0,
    0,
    0,
    13,
    0x49,
    0x48,
    0x44,
    0x52,
    ...u32(width),
    ...u32(height),
    8,
    6,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
  ]);
}

export const MP3 = new Uint8Array([
  0x49,
  0x44,
  0x33,
  4,
  0,
  0,
  0,
  0,
  0,
  0,
  0xff,
  0xfb,
  0x90,
  0x64,
  ...new Array(64).fill(0),
]);
export const MP4 = new Uint8Array([
  0,
  0,
  0,
  0x18,
  0x66,
  0x74,
  0x79,
  0x70,
  0x69,
  0x73,
  0x6f,
  0x6d,
  0,
  0,
  2,
  0,
  ...new Array(64).fill(0),
]);

export function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Asserts the promise rejects with a ProviderError of `code` and returns it. */
export async function providerError(
  promise: Promise<unknown>,
  code: ProviderError["code"],
): Promise<ProviderError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${code} ProviderError, the call succeeded`);
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  expect((error as ProviderError).code, (error as Error).message).toBe(code);
  expectNoCanary(error);
  return error as ProviderError;
}

/** The canary credential (in any spelling) must not appear in an error, a result or a job id. */
export function expectNoCanary(value: unknown): void {
  const text =
    value instanceof Error
      ? `${value.message} ${JSON.stringify(value)} ${String((value as { vendorReason?: string }).vendorReason ?? "")}`
      : JSON.stringify(value, (_k, v) => (v instanceof Uint8Array ? `<${v.byteLength} bytes>` : v));
  for (const secret of [CANARY, CANARY_SECRET]) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(btoa(secret));
  }
}

/** Records the requests msw saw, so tests can count submits and read what was sent. */
export function recorder() {
  const requests: Request[] = [];
  return {
    requests,
    // msw's resolver types are generic over the body; the handlers here return plain responses.
    record(handler: (req: Request) => any) {
      return async ({ request }: { request: any }): Promise<any> => {
        requests.push(request.clone());
        return handler(request);
      };
    },
  };
}
