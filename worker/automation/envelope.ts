import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppError } from "../platform/errors";
import type { AppEnv } from "../platform/http/app-env";
import { errorResponses } from "../platform/openapi-responses";

/**
 * Seed 004's envelope: `{code, msg, data}`. `code` 0 is success, 1 "nothing to return", otherwise
 * the HTTP status, which the response's real status mirrors (0 and 1 answer 200).
 */
export const EnvelopeErrorSchema = z
  .object({
    code: z.number().int().openapi({ example: 404 }),
    msg: z.string().openapi({ example: "Project not found" }),
    data: z
      .object({
        errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
        retry_after: z.number().int().optional(),
        request_id: z.string().optional(),
      })
      .nullable(),
  })
  .openapi("AutomationError");

export function envelopeSchema<T extends z.ZodType>(data: T, name: string) {
  return z
    .object({
      code: z
        .union([z.literal(0), z.literal(1)])
        .openapi({ example: 0, description: "0 success, 1 nothing to return" }),
      msg: z.string().openapi({ example: "success" }),
      data: data.nullable(),
    })
    .openapi(name);
}

export function ok<T>(c: Context<AppEnv>, data: T, msg = "success") {
  return c.json({ code: 0 as const, msg, data }, 200);
}

/** Seed 004 `code 1`: a successful call with nothing to return. */
export function noContent(c: Context<AppEnv>, msg: string) {
  return c.json({ code: 1 as const, msg, data: null }, 200);
}

export function renderAutomationError(c: Context<AppEnv>, err: AppError): Response {
  const headers: Record<string, string> = { ...err.headers };
  if (err.retryAfter !== undefined) headers["Retry-After"] = String(err.retryAfter);
  const status = err.status === 422 ? 400 : err.status;
  const extra: { errors?: typeof err.fieldErrors; retry_after?: number; request_id?: string } = {};
  if (err.fieldErrors) extra.errors = err.fieldErrors;
  if (err.retryAfter !== undefined) extra.retry_after = err.retryAfter;
  if (err.status >= 500) extra.request_id = c.get("requestId");
  const msg = err.fieldErrors?.length
    ? `${err.message}: ${err.fieldErrors.map((f) => `${f.field}: ${f.message}`).join("; ")}`
    : err.message;
  return c.json({ code: status, msg, data: Object.keys(extra).length ? extra : null }, status, headers);
}

const DESCRIPTIONS: Record<number, string> = {
  400: "Bad request or validation error (code 400)",
  401: "Not authenticated (code 401)",
  403: "Credential lacks the scope (code 403)",
  404: "Not found (code 404)",
  409: "Conflict (code 409)",
  429: "Rate limit exceeded (code 429)",
  500: "Internal error (code 500)",
};

export function automationErrorResponses(...statuses: number[]) {
  return errorResponses(EnvelopeErrorSchema, DESCRIPTIONS, statuses);
}
