import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppError } from "../platform/errors";
import type { AppEnv } from "../platform/http/app-env";
import { errorResponses } from "../platform/openapi-responses";
import { iso } from "../platform/time";

/** The studio API's error format: `{detail, error_code, timestamp}`, plus field errors, retry hints and a request id. */
export const StudioErrorSchema = z
  .object({
    detail: z.string().openapi({ example: "Project not found" }),
    error_code: z.string().openapi({ example: "NOT_FOUND" }),
    timestamp: z.string().openapi({ example: "2026-02-08T10:00:00Z" }),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "Field errors of a 422 VALIDATION_ERROR" }),
    retry_after: z.number().int().optional().openapi({ description: "Seconds to wait (429)" }),
    request_id: z.string().optional().openapi({ description: "Quote this when reporting a 5xx" }),
  })
  .openapi("StudioError");

export type StudioErrorBody = z.infer<typeof StudioErrorSchema>;

export function studioErrorBody(err: AppError, requestId: string): StudioErrorBody {
  return {
    detail: err.message,
    error_code: err.code,
    timestamp: iso(Date.now()),
    ...(err.fieldErrors ? { errors: err.fieldErrors } : {}),
    ...(err.retryAfter !== undefined ? { retry_after: err.retryAfter } : {}),
    ...(err.status >= 500 ? { request_id: requestId } : {}),
  };
}

export function renderStudioError(c: Context<AppEnv>, err: AppError): Response {
  const headers: Record<string, string> = { ...err.headers };
  if (err.retryAfter !== undefined) headers["Retry-After"] = String(err.retryAfter);
  return c.json(studioErrorBody(err, c.get("requestId")), err.status, headers);
}

const DESCRIPTIONS: Record<number, string> = {
  400: "Bad request",
  401: "Not authenticated or invalid token",
  402: "Not enough credits",
  403: "Not enough permissions",
  404: "Not found",
  409: "Conflict",
  413: "Payload too large",
  415: "Unsupported media type",
  416: "Range not satisfiable",
  422: "Validation error",
  429: "Rate limit exceeded",
  500: "Internal server error",
  503: "Service unavailable",
};

/** The error responses a studio route declares, in its OpenAPI entry. */
export function studioErrorResponses(...statuses: number[]) {
  return errorResponses(StudioErrorSchema, DESCRIPTIONS, statuses);
}
