import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { UploadTarget } from "../../../contracts/render-spec";
import { MIN_PART_BYTES, SINGLE_PUT_MAX_BYTES, type UploadedPart } from "../../../contracts/upload-protocol";
import { InvalidJobError } from "./errors";

export interface UploadLimits {
  singleMaxBytes?: number | undefined;
  partBytes?: number | undefined;
}

async function ok(res: Response, what: string): Promise<unknown> {
  const text = await res.text();
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    throw new InvalidJobError(`${what} refused: ${res.status} ${text.slice(0, 200)}`);
  }
  if (!res.ok) throw new Error(`${what} failed: ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : {};
}

function streamOf(file: string, start: number, end: number): ReadableStream | string {
  // An empty file (no captions: empty sidecars) is an empty body; a read stream cannot end at -1.
  if (end <= start) return "";
  return Readable.toWeb(createReadStream(file, { start, end: end - 1 })) as ReadableStream;
}

/**
 * Streams a file to a signed upload URL (contracts/upload-protocol.ts): one PUT with
 * Content-Length, or R2 multipart parts for large files. Nothing is read whole into memory.
 */
export async function uploadFile(
  file: string,
  target: UploadTarget,
  contentType: string,
  limits: UploadLimits = {},
  signal?: AbortSignal,
): Promise<{ size: number }> {
  const { size } = await stat(file);
  if (size > target.max_bytes)
    throw new InvalidJobError(`output is ${size} bytes; the upload allows ${target.max_bytes}`);
  const single = limits.singleMaxBytes ?? SINGLE_PUT_MAX_BYTES;
  const put = (url: string, start: number, end: number) =>
    fetch(url, {
      method: "PUT",
      headers: { "Content-Type": contentType, "Content-Length": String(end - start) },
      body: streamOf(file, start, end),
      duplex: "half",
      signal: signal ?? null,
    } as RequestInit);

  if (size <= single) {
    await ok(await put(target.url, 0, size), "upload");
    return { size };
  }
  // R2 needs parts of at least 5 MiB; smaller parts are only configured against test stubs.
  const partBytes = limits.partBytes ?? Math.max(single, MIN_PART_BYTES);
  const begin = (await ok(
    await fetch(`${target.url}?uploads`, {
      method: "POST",
      headers: { "Content-Type": contentType },
      signal: signal ?? null,
    }),
    "multipart start",
  )) as { upload_id: string };
  const parts: UploadedPart[] = [];
  for (let start = 0, part = 1; start < size; start += partBytes, part++) {
    const end = Math.min(size, start + partBytes);
    const url = `${target.url}?upload_id=${encodeURIComponent(begin.upload_id)}&part=${part}`;
    const uploaded = (await ok(await put(url, start, end), `part ${part}`)) as UploadedPart;
    parts.push({ part, etag: uploaded.etag });
  }
  await ok(
    await fetch(`${target.url}?upload_id=${encodeURIComponent(begin.upload_id)}&complete`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ parts }),
      signal: signal ?? null,
    }),
    "multipart complete",
  );
  return { size };
}
