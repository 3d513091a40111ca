import { type Context, Hono } from "hono";
import { z } from "zod";
import { sha256Hex } from "../../contracts/crypto";
import { type Sniffed, sniffMedia } from "../../contracts/sniff";
import { SINGLE_PUT_MAX_BYTES } from "../../contracts/upload-protocol";
import { streamToBucket } from "../core/media/upload";
import {
  findUploadToken,
  releaseUploadToken,
  takeUploadToken,
  type UploadTokenRow,
} from "../db/queries/upload-tokens";
import { AppError } from "../platform/errors";
import type { AppEnv } from "../platform/http/app-env";
import { contextOf } from "../platform/http/context";

/**
 * `/internal/uploads/{token}`: where the renderer puts its outputs (contracts/upload-protocol.ts).
 * A token (core/exports/upload-tokens.ts) names one R2 key, a maximum size and a content type,
 * expires, and is spent by the upload it allows. The bytes stream into R2 pinned to their declared
 * length; their type must be the one the token was made for (checked from the magic bytes).
 * Multipart (POST ?uploads, PUT ?upload_id&part, POST ?upload_id&complete) carries files above the
 * Worker's request limit; the token is spent when the upload completes.
 */
export const internalUploadsRouter = new Hono<AppEnv>();

const refused = (detail: string) => new AppError("FORBIDDEN", detail);

async function tokenOf(c: Context<AppEnv>): Promise<{ id: string; row: UploadTokenRow }> {
  const raw = c.req.param("token") ?? "";
  if (!/^[A-Za-z0-9_-]{43}$/.test(raw)) throw refused("Invalid upload token");
  const id = await sha256Hex(raw);
  const row = await findUploadToken(contextOf(c).db, id);
  if (!row) throw refused("Invalid upload token");
  if (row.expiresAt <= contextOf(c).now) throw refused("This upload token has expired");
  return { id, row };
}

/** What the bytes must be, from the type the token was made for. */
function accepts(contentType: string | null): (s: Sniffed) => boolean {
  const wanted = contentType ?? "application/octet-stream";
  if (wanted.startsWith("video/")) return (s) => s.kind === "video" && s.contentType === wanted;
  if (wanted.startsWith("image/")) return (s) => s.kind === "image" && s.contentType === wanted;
  if (wanted.startsWith("text/") || wanted === "application/x-subrip") return (s) => s.kind === "text";
  return () => false;
}

function declaredLength(c: Context<AppEnv>): number {
  const value = Number(c.req.header("Content-Length"));
  if (!Number.isInteger(value) || value < 0)
    throw new AppError("BAD_REQUEST", "Send the upload with a Content-Length header");
  return value;
}

internalUploadsRouter.put("/internal/uploads/:token", async (c) => {
  const { id, row } = await tokenOf(c);
  const db = contextOf(c).db;
  const uploadId = c.req.query("upload_id");
  if (uploadId !== undefined) {
    // A part of a multipart upload.
    if (row.usedAt !== null) throw refused("This upload token has already been used");
    const part = Number(c.req.query("part"));
    if (!Number.isInteger(part) || part < 1 || part > 10_000)
      throw new AppError("BAD_REQUEST", "part must be 1..10000");
    const length = declaredLength(c);
    if (length > Math.min(row.maxBytes, SINGLE_PUT_MAX_BYTES))
      throw new AppError("PAYLOAD_TOO_LARGE", "The part is too large");
    if (!c.req.raw.body) throw new AppError("BAD_REQUEST", "The part has no body");
    const upload = c.env.BUCKET.resumeMultipartUpload(row.r2Key, uploadId);
    const fixed = new FixedLengthStream(length);
    const piping = c.req.raw.body.pipeTo(fixed.writable).catch(() => undefined);
    try {
      const uploaded = await upload.uploadPart(part, fixed.readable);
      return c.json({ part, etag: uploaded.etag });
    } catch {
      throw new AppError(
        "BAD_REQUEST",
        "The part could not be stored (unknown upload or a body shorter than its length)",
      );
    } finally {
      await piping;
    }
  }

  const length = declaredLength(c);
  if (length > row.maxBytes)
    throw new AppError("PAYLOAD_TOO_LARGE", `The upload allows at most ${row.maxBytes} bytes`);
  if (length > SINGLE_PUT_MAX_BYTES) {
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `Above ${SINGLE_PUT_MAX_BYTES} bytes, upload in parts (POST ?uploads)`,
    );
  }
  const now = contextOf(c).now;
  const taken = await takeUploadToken(db, id, now);
  if (!taken) {
    // A retry of an upload that already arrived (the renderer re-ran the render) writes nothing.
    const existing = await c.env.BUCKET.head(row.r2Key);
    if (existing && existing.size === length) return c.json({ size: length, duplicate: true });
    throw refused("This upload token has already been used");
  }
  try {
    if (length === 0) {
      if (!accepts(row.contentType)({ kind: "text", contentType: "text/plain" })) {
        throw new AppError("UNSUPPORTED_MEDIA_TYPE", "An empty upload is only accepted for subtitles");
      }
      await c.env.BUCKET.put(row.r2Key, new Uint8Array(), {
        httpMetadata: { contentType: row.contentType ?? "text/plain" },
      });
      return c.json({ size: 0 });
    }
    const stored = await streamToBucket(c.env.BUCKET, row.r2Key, c.req.raw.body, {
      contentLength: String(length),
      maxBytes: row.maxBytes,
      accept: accepts(row.contentType),
      ...(row.contentType ? { contentType: row.contentType } : {}),
    });
    return c.json({ size: stored.size });
  } catch (err) {
    await releaseUploadToken(db, id, now);
    throw err;
  }
});

const CompleteBody = z.object({
  parts: z
    .array(z.object({ part: z.number().int().min(1), etag: z.string().min(1) }))
    .min(1)
    .max(10_000),
});

internalUploadsRouter.post("/internal/uploads/:token", async (c) => {
  const { id, row } = await tokenOf(c);
  if (row.usedAt !== null) throw refused("This upload token has already been used");
  const url = new URL(c.req.url);
  if (url.searchParams.has("uploads")) {
    const upload = await c.env.BUCKET.createMultipartUpload(row.r2Key, {
      httpMetadata: { contentType: row.contentType ?? "application/octet-stream" },
    });
    return c.json({ upload_id: upload.uploadId });
  }
  const uploadId = url.searchParams.get("upload_id");
  if (uploadId && url.searchParams.has("complete")) {
    const parsed = CompleteBody.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) throw new AppError("BAD_REQUEST", "Send {parts: [{part, etag}]}");
    const now = contextOf(c).now;
    if (!(await takeUploadToken(contextOf(c).db, id, now)))
      throw refused("This upload token has already been used");
    let object: R2Object;
    try {
      object = await c.env.BUCKET.resumeMultipartUpload(row.r2Key, uploadId).complete(
        parsed.data.parts.map((p) => ({ partNumber: p.part, etag: p.etag })),
      );
    } catch {
      await releaseUploadToken(contextOf(c).db, id, now);
      throw new AppError(
        "BAD_REQUEST",
        "The multipart upload could not be completed (unknown upload or parts)",
      );
    }
    if (object.size > row.maxBytes) {
      await c.env.BUCKET.delete(row.r2Key);
      throw new AppError("PAYLOAD_TOO_LARGE", `The upload allows at most ${row.maxBytes} bytes`);
    }
    const head = await c.env.BUCKET.get(row.r2Key, { range: { offset: 0, length: 64 } });
    const bytes = head ? new Uint8Array(await head.arrayBuffer()) : new Uint8Array();
    const sniffed = sniffMedia(bytes);
    if (!sniffed || !accepts(row.contentType)(sniffed)) {
      await c.env.BUCKET.delete(row.r2Key);
      throw new AppError(
        "UNSUPPORTED_MEDIA_TYPE",
        "The uploaded file is not the type this token was made for",
      );
    }
    return c.json({ size: object.size });
  }
  throw new AppError(
    "BAD_REQUEST",
    "POST ?uploads to start a multipart upload, or ?upload_id=…&complete to finish one",
  );
});
