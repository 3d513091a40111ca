import { HTTPException } from "hono/http-exception";
import { AppError, ERROR_STATUS, type ErrorCode } from "./errors";

const STATUS_TO_CODE = new Map<number, ErrorCode>(
  (Object.entries(ERROR_STATUS) as [ErrorCode, number][]).map(([code, status]) => [status, code]),
);

/**
 * Normalises anything thrown inside a request into an AppError. Unknown errors become a generic
 * 500 whose detail never carries the original message (it may hold SQL or a stack).
 */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const code =
      STATUS_TO_CODE.get(err.status) ?? (err.status >= 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST");
    const detail =
      err.status === 413
        ? "Request body too large"
        : err.status >= 500
          ? "Internal server error"
          : err.message || code.replaceAll("_", " ").toLowerCase();
    return new AppError(code, detail, { cause: err });
  }
  return new AppError("INTERNAL_SERVER_ERROR", "Internal server error", { cause: err });
}

/** Logs server-side failures with the request id; user mistakes (4xx) are not logged as errors. */
export function logIfServerError(err: AppError, requestId: string, path: string): void {
  if (err.status < 500) return;
  const cause =
    err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}` : String(err.cause ?? "");
  console.error(JSON.stringify({ level: "error", requestId, path, code: err.code, cause }));
}
