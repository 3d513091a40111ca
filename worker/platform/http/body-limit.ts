import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../errors";
import type { AppEnv } from "./app-env";

/** JSON and form bodies: room for a 200 000-character script in UTF-8, and little more. */
export const API_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** Image uploads (multipart): the 10 MiB image plus room for the other form fields. */
export const IMAGE_UPLOAD_BODY_LIMIT_BYTES = 10 * 1024 * 1024 + 64 * 1024;

/** Media routes stream their bodies and enforce their own limits; the API limit does not apply. */
const OWN_LIMIT_PATHS: RegExp[] = [
  /^\/api\/assets\/\d+\/content\/?$/,
  /^\/internal\/uploads\/[A-Za-z0-9_-]+\/?$/,
];

const IMAGE_UPLOAD_PATHS: RegExp[] = [
  /^\/api\/v1\/characters\/?$/,
  /^\/api\/v1\/characters\/\d+\/image\/?$/,
  /^\/api\/v1\/storyboards\/\d+\/image\/?$/,
];

const limit = (maxSize: number, what: string) =>
  bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError("PAYLOAD_TOO_LARGE", `${what} exceeds ${maxSize} bytes`);
    },
  });
const apiLimit = limit(API_BODY_LIMIT_BYTES, "Request body");
const imageLimit = limit(IMAGE_UPLOAD_BODY_LIMIT_BYTES, "The upload (images are at most 10 MiB)");

/**
 * Caps request bodies by Content-Length, or by counting the bytes of a chunked body as they arrive,
 * so an oversized body is refused before anything parses it.
 */
export const apiBodyLimit: MiddlewareHandler<AppEnv> = async function apiBodyLimit(c, next) {
  if (OWN_LIMIT_PATHS.some((re) => re.test(c.req.path))) return next();
  if (c.req.method !== "GET" && IMAGE_UPLOAD_PATHS.some((re) => re.test(c.req.path)))
    return imageLimit(c, next);
  return apiLimit(c, next);
};
