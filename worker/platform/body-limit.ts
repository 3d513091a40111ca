import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import { AppError } from "./errors";

/** JSON and form bodies: room for a 200 000-character script in UTF-8, and little more. */
export const API_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** Media routes stream their bodies and enforce their own limits; the API limit does not apply. */
const OWN_LIMIT_PATHS: RegExp[] = [/^\/api\/assets\/\d+\/content\/?$/];

const apiLimit = bodyLimit({
  maxSize: API_BODY_LIMIT_BYTES,
  onError: () => {
    throw new AppError("PAYLOAD_TOO_LARGE", `Request body exceeds ${API_BODY_LIMIT_BYTES} bytes`);
  },
});

/**
 * Caps request bodies by Content-Length, or by counting the bytes of a chunked body as they arrive,
 * so an oversized body is refused before anything parses it.
 */
export const apiBodyLimit: MiddlewareHandler<AppEnv> = async function apiBodyLimit(c, next) {
  if (OWN_LIMIT_PATHS.some((re) => re.test(c.req.path))) return next();
  return apiLimit(c, next);
};
