import type { z } from "zod";
import { AppError } from "../platform/errors";
import { assertPublicHttpUrl } from "../platform/url-guard";
import { httpError, malformed, ProviderError, redact, secretValues, toProviderError } from "./errors";
import {
  type Credentials,
  DEFAULT_MAX_BYTES,
  DEFAULT_TIMEOUT_MS,
  type ProviderDeps,
  type ProviderKind,
} from "./types";

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export interface GuardOptions {
  vendor: string;
  fetch: typeof fetch;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
  maxBytes: number;
  secrets: readonly string[];
  allowPrivate: boolean;
}

/** Checks a URL with the SSRF guard, as a ProviderError (a bad base_url is the account's problem). */
export function guardUrl(
  raw: string,
  vendor: string,
  allowPrivate: boolean,
  secrets: readonly string[],
): URL {
  try {
    return assertPublicHttpUrl(raw, { allowPrivate });
  } catch (error) {
    const reason = error instanceof AppError ? error.message : "not a valid URL";
    throw new ProviderError(
      "refused",
      redact(`${vendor}: refused to call ${clipUrl(raw)}: ${reason}`, secrets),
    );
  }
}

function clipUrl(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`.slice(0, 200);
  } catch {
    return raw.slice(0, 100);
  }
}

/**
 * The fetch every adapter and every AI SDK provider is given. On top of the injected fetch it
 * (1) sends nothing to a URL the SSRF guard refuses, (2) follows redirects itself, re-checking
 * every hop, so a public host cannot bounce us onto a private one, (3) times the whole call out,
 * body included, through an AbortSignal, (4) refuses a body larger than the cap while it streams
 * (a Content-Length is not trusted to be there or to be true) and (5) refuses an HTML page in a
 * successful answer, which is what a misconfigured gateway or a captive portal sends.
 */
export function guardedFetch(opts: GuardOptions): typeof fetch {
  const guarded = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    let requestInit: RequestInit = { ...(init ?? {}) };
    if (typeof input !== "string" && !(input instanceof URL)) {
      requestInit = { method: input.method, headers: input.headers, body: input.body, ...requestInit };
    }

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(timeoutError(opts));
    }, opts.timeoutMs);
    const onOuterAbort = () => controller.abort(timeoutError(opts, "was cancelled"));
    for (const outer of [opts.signal, requestInit.signal]) {
      if (!outer) continue;
      if (outer.aborted) onOuterAbort();
      else outer.addEventListener("abort", onOuterAbort, { once: true });
    }
    const fail = (error: unknown): never => {
      clearTimeout(timer);
      if (error instanceof ProviderError) throw error;
      if (controller.signal.aborted)
        throw timedOut ? timeoutError(opts) : timeoutError(opts, "was cancelled");
      throw toProviderError(error, opts.vendor, opts.secrets);
    };

    let response: Response | undefined;
    try {
      for (let hop = 0; ; hop++) {
        guardUrl(url, opts.vendor, opts.allowPrivate, opts.secrets);
        response = await opts.fetch(url, { ...requestInit, redirect: "manual", signal: controller.signal });
        if (!REDIRECT_STATUSES.has(response.status)) break;
        const location = response.headers.get("location");
        if (!location) break;
        if (hop >= MAX_REDIRECTS) throw malformed(opts.vendor, `more than ${MAX_REDIRECTS} redirects`);
        const method = (requestInit.method ?? "GET").toUpperCase();
        if (method !== "GET" && method !== "HEAD") {
          throw malformed(opts.vendor, `redirected a ${method} request (HTTP ${response.status})`);
        }
        await response.body?.cancel();
        url = new URL(location, url).href;
      }
    } catch (error) {
      return fail(error);
    }

    const declared = Number(response.headers.get("content-length") ?? "");
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      await response.body?.cancel();
      return fail(tooLarge(opts));
    }
    const contentType = response.headers.get("content-type") ?? "";
    if (response.ok && /text\/html/i.test(contentType)) {
      await response.body?.cancel();
      return fail(malformed(opts.vendor, `an HTML page instead of an API answer (HTTP ${response.status})`));
    }
    if (!response.body) {
      clearTimeout(timer);
      return response;
    }
    return new Response(
      cappedBody(response.body, controller.signal, timer, opts, () => timedOut),
      {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      },
    );
  };
  return guarded as typeof fetch;
}

function cappedBody(
  source: ReadableStream<Uint8Array>,
  signal: AbortSignal,
  timer: ReturnType<typeof setTimeout>,
  opts: GuardOptions,
  timedOut: () => boolean,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  // A body that stops sending must still end at the deadline, even if the runtime does not abort
  // an in-flight read when the signal fires.
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = () => reject(timedOut() ? timeoutError(opts) : timeoutError(opts, "was cancelled"));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => undefined);
  let seen = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await Promise.race([reader.read(), aborted]);
        if (done) {
          clearTimeout(timer);
          controller.close();
          return;
        }
        seen += value.byteLength;
        if (seen > opts.maxBytes) throw tooLarge(opts);
        controller.enqueue(value);
      } catch (error) {
        clearTimeout(timer);
        reader.cancel().catch(() => undefined);
        controller.error(
          error instanceof ProviderError ? error : toProviderError(error, opts.vendor, opts.secrets),
        );
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
}

function timeoutError(
  opts: GuardOptions,
  what = `did not answer within ${Math.ceil(opts.timeoutMs / 1000)} s`,
) {
  return new ProviderError("timeout", `${opts.vendor} ${what}`);
}

function tooLarge(opts: GuardOptions) {
  return malformed(
    opts.vendor,
    `an answer larger than the ${Math.round(opts.maxBytes / 1024 / 1024)} MiB cap`,
  );
}

// ---- a per-call context for hand-written adapters ---------------------------------------------

export interface CallContext {
  vendor: string;
  fetch: typeof fetch;
  secrets: string[];
  now: () => number;
  deps: ProviderDeps;
  /** Resolves `path` against the account's base_url (checked by the guard) or the default. */
  url(path: string): string;
  /** Sends a request and reads a JSON answer validated by `schema`; any failure is a ProviderError. */
  json<T>(url: string, init: RequestInit, schema: z.ZodType<T>): Promise<{ value: T; headers: Headers }>;
  /** Sends a request and reads the body as bytes. */
  bytes(url: string, init?: RequestInit): Promise<{ bytes: Uint8Array; headers: Headers }>;
  /** Runs `fn` and maps whatever it throws onto the closed set, scrubbed of the credentials. */
  guard<T>(fn: () => Promise<T>): Promise<T>;
}

export interface ContextOptions {
  vendor: string;
  kind: ProviderKind;
  credentials: Credentials;
  deps: ProviderDeps;
  /** The vendor's API root, used when the account has no base_url. */
  defaultBaseUrl?: string;
}

export function callContext(opts: ContextOptions): CallContext {
  const secrets = secretValues(opts.credentials);
  const allowPrivate = opts.deps.allowPrivateBaseUrls === true;
  const base = (opts.credentials.base_url || opts.defaultBaseUrl || "").replace(/\/+$/, "");
  if (opts.credentials.base_url) guardUrl(base, opts.vendor, allowPrivate, secrets);
  const fetchImpl = guardedFetch({
    vendor: opts.vendor,
    fetch: opts.deps.fetch,
    signal: opts.deps.signal,
    timeoutMs: opts.deps.timeoutMs ?? DEFAULT_TIMEOUT_MS[opts.kind],
    maxBytes: opts.deps.maxBytes ?? DEFAULT_MAX_BYTES[opts.kind],
    secrets,
    allowPrivate,
  });
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toProviderError(error, opts.vendor, secrets);
    }
  };
  return {
    vendor: opts.vendor,
    fetch: fetchImpl,
    secrets,
    now: opts.deps.now ?? Date.now,
    deps: opts.deps,
    url: (path) => (/^https?:\/\//.test(path) ? path : `${base}${path.startsWith("/") ? "" : "/"}${path}`),
    guard,
    json: (url, init, schema) =>
      guard(async () => {
        const response = await fetchImpl(url, init);
        const text = await response.text();
        if (!response.ok) throw httpError(opts.vendor, response.status, text, response.headers, secrets);
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw malformed(opts.vendor, `not JSON (HTTP ${response.status}, ${text.length} bytes)`);
        }
        const result = schema.safeParse(parsed);
        if (!result.success) {
          const issue = result.error.issues[0];
          const where = issue?.path.length ? issue.path.join(".") : "the answer";
          throw malformed(opts.vendor, `${where}: ${issue?.message ?? "unexpected shape"}`);
        }
        return { value: result.data, headers: response.headers };
      }),
    bytes: (url, init) =>
      guard(async () => {
        const response = await fetchImpl(url, init);
        if (!response.ok) {
          throw httpError(opts.vendor, response.status, await response.text(), response.headers, secrets);
        }
        return { bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
      }),
  };
}

export const jsonHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  "content-type": "application/json",
  accept: "application/json",
  ...extra,
});

/**
 * The signal for one call that does not go through fetch (the Workers AI binding): the caller's
 * signal plus the kind's timeout. `deadline` races a promise against it, because a binding (or a
 * test double of one) is not obliged to honour the signal.
 */
export function callSignal(deps: ProviderDeps, kind: ProviderKind): AbortSignal {
  const timeout = AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS[kind]);
  return deps.signal ? AbortSignal.any([deps.signal, timeout]) : timeout;
}

export async function deadline<T>(vendor: string, signal: AbortSignal, work: Promise<T>): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ProviderError("timeout", `${vendor} did not answer in time`));
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

export async function httpErrorOf(
  vendor: string,
  response: Response,
  secrets: readonly string[],
): Promise<ProviderError> {
  return httpError(vendor, response.status, await response.text().catch(() => ""), response.headers, secrets);
}
