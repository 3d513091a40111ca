import { z } from "@hono/zod-openapi";

/**
 * A numeric id in a path: digits only (so `history`, `batch-update` or `reorder` never match it),
 * at most 15 of them. A value of another shape is a 404 through the validation hook.
 */
export const IdParam = (name: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,14}$/)
    .transform(Number)
    .openapi({ param: { name, in: "path" }, example: "1", type: "integer" });
