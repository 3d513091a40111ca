import { APICallError } from "@ai-sdk/provider";

/**
 * The closed set of ways a provider call fails. The core turns these into item errors, backoff or
 * a retry; adapters never decide which. Every message is readable, carries the vendor's reason
 * where there is one, and is scrubbed of the credentials the call used.
 */
export const PROVIDER_ERROR_CODES = [
  "rate_limited",
  "provider_unavailable",
  "timeout",
  "bad_credentials",
  "refused",
  "malformed_response",
] as const;

export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

export interface ProviderErrorOptions {
  /** Seconds the vendor asked us to wait (Retry-After), for `rate_limited`. */
  retryAfterSeconds?: number;
  /** The HTTP status of the vendor's answer, when there was one. */
  status?: number;
  /** The vendor's own reason, already scrubbed. */
  vendorReason?: string;
}

export class ProviderError extends Error {
  readonly code: ProviderErrorCode;
  readonly retryAfterSeconds: number | undefined;
  readonly status: number | undefined;
  readonly vendorReason: string | undefined;

  constructor(code: ProviderErrorCode, message: string, options: ProviderErrorOptions = {}) {
    super(message);
    this.name = "ProviderError";
    this.code = code;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.status = options.status;
    this.vendorReason = options.vendorReason;
  }

  /** Whether the same request may succeed later (the core still decides whether to retry). */
  get retryable(): boolean {
    return this.code === "rate_limited" || this.code === "provider_unavailable" || this.code === "timeout";
  }

  /** A plain, storable form: what a job row or an item error keeps. */
  toJSON(): SerializedProviderError {
    return {
      code: this.code,
      message: this.message,
      ...(this.retryAfterSeconds !== undefined ? { retry_after_seconds: this.retryAfterSeconds } : {}),
      ...(this.status !== undefined ? { status: this.status } : {}),
    };
  }
}

export interface SerializedProviderError {
  code: ProviderErrorCode;
  message: string;
  retry_after_seconds?: number;
  status?: number;
}

const MASK = "***";

/**
 * Replaces every credential value (and its base64 and URL-encoded spellings, which end up in
 * Basic auth headers, data URIs and query strings) with `***`. Values shorter than 4 characters
 * would mask ordinary words, and no real credential is that short.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    for (const form of spellings(secret)) out = out.split(form).join(MASK);
  }
  return out;
}

function spellings(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  try {
    forms.add(btoa(secret));
  } catch {
    // not Latin-1: it cannot appear base64-encoded by btoa either
  }
  return [...forms].filter((f) => f.length >= 4);
}

/** The credential values of an account, for `redact`. */
export function secretValues(credentials: Record<string, string>): string[] {
  return Object.entries(credentials)
    .filter(([key]) => key !== "base_url")
    .map(([, value]) => value)
    .filter((v) => typeof v === "string" && v.length >= 4);
}

const MAX_REASON = 300;

/** A vendor's reason, trimmed to one readable line. */
export function clip(reason: string): string {
  const line = reason.replace(/\s+/g, " ").trim();
  return line.length > MAX_REASON ? `${line.slice(0, MAX_REASON)}…` : line;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.ceil(Number(trimmed)));
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

function looksLikeHtml(body: string): boolean {
  return /^\s*(<!doctype html|<html|<head|<body|<\?xml)/i.test(body);
}

/** A vendor's error reason from the usual JSON shapes (`error.message`, `message`, `msg`, ...). */
export function vendorReasonOf(body: string): string | undefined {
  if (!body) return undefined;
  if (looksLikeHtml(body)) return "an HTML error page";
  try {
    const json = JSON.parse(body) as unknown;
    const found = findMessage(json, 0);
    return found ? clip(found) : clip(body);
  } catch {
    return clip(body);
  }
}

function findMessage(value: unknown, depth: number): string | undefined {
  if (depth > 3 || value === null || typeof value !== "object") return undefined;
  const o = value as Record<string, unknown>;
  for (const key of ["message", "msg", "detail", "error_description", "status_msg", "failure", "error"]) {
    const v = o[key];
    if (typeof v === "string" && v.trim()) return v;
  }
  for (const key of ["error", "base_resp", "output", "data"]) {
    const nested = findMessage(o[key], depth + 1);
    if (nested) return nested;
  }
  return undefined;
}

/**
 * The error for an HTTP answer that is not a success. 401/403 are credentials, 429 a rate limit,
 * 408/504 a timeout, other 5xx an outage, and the remaining 4xx a refusal with the vendor's reason
 * (a content-policy block or a request the vendor does not accept).
 */
export function httpError(
  vendor: string,
  status: number,
  body: string,
  headers: { get(name: string): string | null } | Record<string, string | undefined> | undefined,
  secrets: readonly string[],
): ProviderError {
  const header = (name: string): string | null => {
    if (!headers) return null;
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name);
    const rec = headers as Record<string, string | undefined>;
    return rec[name] ?? rec[name.toLowerCase()] ?? null;
  };
  const reason = redact(vendorReasonOf(body) ?? `HTTP ${status}`, secrets);
  const opts = { status, vendorReason: reason };
  if (status === 401 || status === 403) {
    return new ProviderError(
      "bad_credentials",
      `${vendor} rejected the credentials (HTTP ${status}): ${reason}`,
      opts,
    );
  }
  if (status === 429) {
    const after = retryAfterSeconds(header("retry-after"));
    return new ProviderError(
      "rate_limited",
      `${vendor} is rate limiting this account${after !== undefined ? `; retry after ${after} s` : ""}: ${reason}`,
      { ...opts, ...(after !== undefined ? { retryAfterSeconds: after } : {}) },
    );
  }
  if (status === 408 || status === 504) {
    return new ProviderError("timeout", `${vendor} timed out (HTTP ${status}): ${reason}`, opts);
  }
  if (status >= 500) {
    return new ProviderError(
      "provider_unavailable",
      `${vendor} is unavailable (HTTP ${status}): ${reason}`,
      opts,
    );
  }
  return new ProviderError("refused", `${vendor} refused the request (HTTP ${status}): ${reason}`, opts);
}

function isAbort(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === "AbortError" || error.name === "TimeoutError" || error.name === "ResponseAborted")
  );
}

/**
 * Maps anything an adapter, the AI SDK or the runtime threw onto the closed set. Our own
 * ProviderError may sit anywhere in the cause chain (the SDK wraps errors thrown while it reads a
 * body), so it is looked for first.
 */
export function toProviderError(error: unknown, vendor: string, secrets: readonly string[]): ProviderError {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === "object" && !seen.has(current)) {
    seen.add(current);
    if (current instanceof ProviderError) return scrub(current, secrets);
    const next =
      (current as { cause?: unknown }).cause ?? (current as { lastError?: unknown }).lastError ?? undefined;
    current = next;
  }
  if (isAbort(error)) return new ProviderError("timeout", `${vendor} did not answer in time`);
  if (APICallError.isInstance(error)) {
    if (error.statusCode !== undefined && error.statusCode >= 400) {
      return httpError(
        vendor,
        error.statusCode,
        error.responseBody ?? error.message,
        error.responseHeaders,
        secrets,
      );
    }
    if (error.statusCode === undefined) {
      return new ProviderError(
        "provider_unavailable",
        `${vendor} could not be reached: ${clip(redact(error.message, secrets))}`,
      );
    }
    const body = error.responseBody ?? "";
    const what = looksLikeHtml(body) ? "an HTML page" : "an answer it could not read";
    return new ProviderError(
      "malformed_response",
      `${vendor} answered with ${what}: ${clip(redact(error.message, secrets))}`,
      { status: error.statusCode },
    );
  }
  const name = error instanceof Error ? error.name : "";
  const message = error instanceof Error ? error.message : String(error);
  // The SDK's own download guard (provider-utils validateDownloadUrl) agrees with ours.
  if (name === "AI_DownloadError" && /is not allowed/.test(message)) {
    return new ProviderError(
      "refused",
      `${vendor}: refused to fetch a result URL: ${clip(redact(message, secrets))}`,
    );
  }
  if (
    /AI_(JSONParseError|TypeValidationError|InvalidResponseDataError|NoImageGeneratedError|NoSpeechGeneratedError|NoVideoGeneratedError|NoObjectGeneratedError|NoOutputGeneratedError|NoContentGeneratedError|EmptyResponseBodyError)/.test(
      name,
    ) ||
    /^(JSONParseError|TypeValidationError)$/.test(name)
  ) {
    return new ProviderError(
      "malformed_response",
      `${vendor} answered without a usable result: ${clip(redact(message, secrets))}`,
    );
  }
  if (
    /AI_(InvalidPromptError|UnsupportedFunctionalityError|InvalidArgumentError|NoSuchModelError)/.test(name)
  ) {
    return new ProviderError(
      "refused",
      `${vendor} cannot take this request: ${clip(redact(message, secrets))}`,
    );
  }
  return new ProviderError(
    "provider_unavailable",
    `${vendor} call failed: ${clip(redact(message, secrets))}`,
  );
}

function scrub(error: ProviderError, secrets: readonly string[]): ProviderError {
  const message = redact(error.message, secrets);
  if (message === error.message) return error;
  return new ProviderError(error.code, message, {
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.vendorReason !== undefined ? { vendorReason: redact(error.vendorReason, secrets) } : {}),
  });
}

export const malformed = (vendor: string, what: string) =>
  new ProviderError("malformed_response", `${vendor} answered without a usable result: ${what}`);
