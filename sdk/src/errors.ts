/**
 * Every failed call throws a ShortDramaError (or a subclass by HTTP status) carrying what the API
 * said: `errorCode` on the studio API (`QUOTA_EXCEEDED`, ...), `code` on the automation API (its
 * envelope's code), `detail`, `retryAfter` (seconds) on 429, and the request id for support.
 */
export class ShortDramaError extends Error {
  readonly status: number;
  readonly errorCode: string | null;
  readonly code: number | null;
  readonly detail: string;
  readonly retryAfter: number | null;
  readonly requestId: string | null;
  readonly errors: { field: string; message: string }[];
  readonly body: unknown;

  constructor(init: {
    status: number;
    detail: string;
    errorCode?: string | null;
    code?: number | null;
    retryAfter?: number | null;
    requestId?: string | null;
    errors?: { field: string; message: string }[];
    body?: unknown;
  }) {
    super(
      `${init.status} ${init.errorCode ?? (init.code !== undefined && init.code !== null ? `code ${init.code}` : "")}: ${init.detail}`.replace(
        / {2}/,
        " ",
      ),
    );
    this.name = new.target.name;
    this.status = init.status;
    this.errorCode = init.errorCode ?? null;
    this.code = init.code ?? null;
    this.detail = init.detail;
    this.retryAfter = init.retryAfter ?? null;
    this.requestId = init.requestId ?? null;
    this.errors = init.errors ?? [];
    this.body = init.body;
  }
}

export class AuthenticationError extends ShortDramaError {}
export class PaymentRequiredError extends ShortDramaError {}
export class PermissionDeniedError extends ShortDramaError {}
export class NotFoundError extends ShortDramaError {}
export class ConflictError extends ShortDramaError {}
export class ValidationError extends ShortDramaError {}
export class RateLimitError extends ShortDramaError {}
export class ServerError extends ShortDramaError {}
/** The request never got an answer (network down, DNS, CORS, aborted). */
export class ConnectionError extends ShortDramaError {}

const BY_STATUS: Record<number, typeof ShortDramaError> = {
  401: AuthenticationError,
  402: PaymentRequiredError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: ValidationError,
  429: RateLimitError,
};

/** Builds the error for an answer in either surface's format. */
export function errorFromResponse(status: number, headers: Headers, body: unknown): ShortDramaError {
  const b = (body && typeof body === "object" ? body : {}) as Record<string, unknown>;
  const retryHeader = Number(headers.get("Retry-After"));
  const retryAfter =
    typeof b.retry_after === "number"
      ? b.retry_after
      : Number.isFinite(retryHeader) && retryHeader > 0
        ? retryHeader
        : null;
  const Cls = BY_STATUS[status] ?? (status >= 500 ? ServerError : ShortDramaError);
  return new Cls({
    status,
    detail:
      typeof b.detail === "string"
        ? b.detail
        : typeof b.msg === "string"
          ? b.msg
          : typeof body === "string"
            ? body
            : `HTTP ${status}`,
    errorCode: typeof b.error_code === "string" ? b.error_code : null,
    code: typeof b.code === "number" ? b.code : null,
    retryAfter,
    requestId: headers.get("X-Request-Id"),
    errors: Array.isArray(b.errors) ? (b.errors as { field: string; message: string }[]) : [],
    body,
  });
}
