/**
 * The closed list of error codes shared by both surfaces. Core code throws `AppError` with one of
 * these; the studio surface renders `{detail, error_code, timestamp}` and the automation surface
 * renders `{code, msg, data}` from the same error.
 */
export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  QUOTA_EXCEEDED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RANGE_NOT_SATISFIABLE: 416,
  VALIDATION_ERROR: 422,
  RATE_LIMIT_EXCEEDED: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.email` or `query.limit`. */
  field: string;
  message: string;
}

export interface AppErrorOptions {
  fieldErrors?: FieldError[];
  /** Seconds until a retry can succeed (429, 503). */
  retryAfter?: number;
  headers?: Record<string, string>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: (typeof ERROR_STATUS)[ErrorCode];
  readonly fieldErrors: FieldError[] | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, options: AppErrorOptions = {}) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.fieldErrors = options.fieldErrors;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers ?? {};
  }
}

export const notFound = (what: string) => new AppError("NOT_FOUND", `${what} not found`);
export const badRequest = (detail: string) => new AppError("BAD_REQUEST", detail);
export const conflict = (detail: string) => new AppError("CONFLICT", detail);
export const unauthorized = (detail = "Not authenticated") =>
  new AppError("UNAUTHORIZED", detail, { headers: { "WWW-Authenticate": 'Bearer realm="short-drama"' } });
export const forbidden = (detail = "Not enough permissions") => new AppError("FORBIDDEN", detail);
