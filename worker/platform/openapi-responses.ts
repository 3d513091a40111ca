import type { z } from "@hono/zod-openapi";

/** Builds the error responses a route declares in OpenAPI, always including 500. */
export function errorResponses<S extends z.ZodType>(
  schema: S,
  descriptions: Record<number, string>,
  statuses: number[],
) {
  const out: Record<number, { description: string; content: { "application/json": { schema: S } } }> = {};
  for (const status of [...new Set([...statuses, 500])]) {
    out[status] = {
      description: descriptions[status] ?? "Error",
      content: { "application/json": { schema } },
    };
  }
  return out;
}

/** A JSON response entry for `createRoute`. */
export function jsonResponse<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** The bearer requirement of every authenticated route (JWT or API key). */
export const bearerSecurity = [{ bearerAuth: [] }];
