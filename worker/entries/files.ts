import { type Context, Hono } from "hono";
import { AppError } from "../platform/errors";
import { parseRange, verifyFileUrl } from "../platform/files";
import type { AppEnv } from "../platform/http/app-env";
import { contextOf } from "../platform/http/context";

/**
 * `/files/...`: media from R2 behind signed, expiring URLs (platform/files.ts). Answers `Range`
 * requests with 206 so video players can seek, conditional requests with 304, and never lets a
 * browser treat a stored file as a page of this origin.
 */
export const filesRouter = new Hono<AppEnv>();

async function serve(c: Context<AppEnv>, head: boolean): Promise<Response> {
  const now = contextOf(c).now;
  const url = new URL(c.req.url);
  const check = await verifyFileUrl(c.env.FILES_SIGNING_SECRET, url, now);
  if (!check.ok) {
    throw new AppError(
      "FORBIDDEN",
      check.reason === "expired"
        ? "This file link has expired; ask the API for a fresh one"
        : "Invalid file link signature",
    );
  }
  const meta = await c.env.BUCKET.head(check.key);
  if (!meta) throw new AppError("NOT_FOUND", "File not found");

  const exp = Number(url.searchParams.get("exp"));
  const headers = new Headers({
    "Content-Type": meta.httpMetadata?.contentType ?? "application/octet-stream",
    "Accept-Ranges": "bytes",
    ETag: meta.httpEtag,
    "Last-Modified": meta.uploaded.toUTCString(),
    "Cache-Control": `private, max-age=${Math.max(0, Math.floor(exp - now / 1000))}`,
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "Content-Disposition": check.download
      ? `attachment; filename*=UTF-8''${encodeURIComponent(check.download)}`
      : "inline",
  });
  if (c.req.header("If-None-Match") === meta.httpEtag) return new Response(null, { status: 304, headers });

  const range = parseRange(c.req.header("Range"), meta.size);
  if (range === "unsatisfiable") {
    throw new AppError("RANGE_NOT_SATISFIABLE", `The file has ${meta.size} bytes`, {
      headers: { "Content-Range": `bytes */${meta.size}` },
    });
  }
  if (range) {
    headers.set("Content-Range", `bytes ${range.offset}-${range.offset + range.length - 1}/${meta.size}`);
    headers.set("Content-Length", String(range.length));
  } else {
    headers.set("Content-Length", String(meta.size));
  }
  const status = range ? 206 : 200;
  if (head) return new Response(null, { status, headers });
  const object = await c.env.BUCKET.get(check.key, range ? { range } : {});
  if (!object) throw new AppError("NOT_FOUND", "File not found");
  return new Response(object.body, { status, headers });
}

filesRouter.on(["GET", "HEAD"], "/files/*", (c) => serve(c, c.req.method === "HEAD"));
