import type { Context } from "hono";
import type { ZodError } from "zod";
import { AppError, type FieldError } from "../errors";

type ValidationTarget = "json" | "form" | "query" | "param" | "header" | "cookie";

export function zodFieldErrors(error: ZodError, target: string): FieldError[] {
  const prefix = target === "json" || target === "form" ? "body" : target;
  return error.issues.map((issue) => {
    const keys =
      issue.code === "unrecognized_keys" && "keys" in issue ? (issue.keys as string[]).join(", ") : undefined;
    const path = [prefix, ...issue.path.map(String)].join(".");
    return {
      field: keys ? `${path}.${keys}` : path,
      message: keys ? `Unknown field(s): ${keys}` : issue.message,
    };
  });
}

/**
 * The one validation hook, installed on every router by `createRouter()`. Path parameters that do
 * not have the shape of an id cannot name a resource, so they answer 404 rather than 422: that keeps
 * `/export/history` or `/projects/abc` from ever looking like a malformed id.
 */
export function validationHook(
  result:
    | { success: true; data: unknown; target: ValidationTarget }
    | { success: false; error: ZodError; target: ValidationTarget },
  _c: Context,
): void {
  if (result.success) return;
  if (result.target === "param") throw new AppError("NOT_FOUND", "Not found");
  throw new AppError("VALIDATION_ERROR", "Request validation failed", {
    fieldErrors: zodFieldErrors(result.error, result.target),
  });
}
