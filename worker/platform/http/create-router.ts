import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env";
import { validationHook } from "./validation";

/**
 * Every router is made here so that every route shares the one validation hook: the OpenAPI
 * document and runtime validation come from the same zod schemas and cannot drift.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
