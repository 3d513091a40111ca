import { z } from "@hono/zod-openapi";
import { freeJson } from "../platform/json-schema";
import { automationErrorResponses, envelopeSchema } from "./envelope";

/** Numeric ids are matched as digits only, so words like `batch-update` never look like an id. */
export { IdParam } from "../platform/params";

export const Pagination = {
  skip: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(100),
};

/** Any JSON object (task outputs, parameters, config data), within the free-form JSON limits. */
export const JsonObject = freeJson();

export const Id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/** A JSON body entry for `createRoute`. */
export function jsonBody<S extends z.ZodType>(schema: S, required = true) {
  return { required, content: { "application/json": { schema } } };
}

/** The success response of an automation route, in the `{code: 0, msg, data}` envelope. */
export function okResponse<S extends z.ZodType>(data: S, name: string, description: string) {
  return { description, content: { "application/json": { schema: envelopeSchema(data, name) } } };
}

export const errors = automationErrorResponses;

export const MessageData = z.object({ message: z.string() });
