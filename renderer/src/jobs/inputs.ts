import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { imageType, readImageHeader } from "../../../contracts/image-header";
import { InvalidJobError } from "./errors";

/** The largest still we accept: enough for 4K, small enough that decoding it cannot exhaust memory. */
export const MAX_IMAGE_SIDE = 8192;
export const MAX_IMAGE_PIXELS = 40_000_000;

const AUDIO_MAGIC: [string, (b: Uint8Array) => boolean][] = [
  [
    "mp3",
    (b) =>
      (b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) || (b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0),
  ],
  ["m4a", (b) => String.fromCharCode(...b.slice(4, 8)) === "ftyp"],
  [
    "wav",
    (b) =>
      String.fromCharCode(...b.slice(0, 4)) === "RIFF" && String.fromCharCode(...b.slice(8, 12)) === "WAVE",
  ],
  ["ogg", (b) => String.fromCharCode(...b.slice(0, 4)) === "OggS"],
  ["flac", (b) => String.fromCharCode(...b.slice(0, 4)) === "fLaC"],
  // WebM (Opus): a cached soundtrack of a WebM render.
  ["webm", (b) => b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3],
];

const VIDEO_MAGIC: [string, (b: Uint8Array) => boolean][] = [
  // MP4 / QuickTime: an `ftyp` box first.
  ["mp4", (b) => String.fromCharCode(...b.slice(4, 8)) === "ftyp"],
  // WebM / Matroska: the EBML header.
  ["webm", (b) => b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3],
  // MPEG-TS: sync bytes every 188 bytes (our own segments).
  ["mpegts", (b) => b.length >= 377 && b[0] === 0x47 && b[188] === 0x47 && b[376] === 0x47],
];

/** Inputs come from the API's own origin only: any other host is refused before a request (SSRF). */
export function assertFromOrigin(raw: string, apiOrigin: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidJobError(`input is not a URL: ${raw.slice(0, 200)}`);
  }
  if (url.origin !== new URL(apiOrigin).origin) {
    throw new InvalidJobError(`input ${url.origin} is not on the API origin ${new URL(apiOrigin).origin}`);
  }
  return url;
}

export type InputKind = "image" | "audio" | "video";

/**
 * Downloads one input to `dest`: same origin only, no redirects, a byte limit enforced while the
 * body streams, and the type checked from the first bytes. Images also have their header
 * dimensions checked before anything decodes them.
 */
export async function fetchInput(
  raw: string,
  dest: string,
  opts: { apiOrigin: string; maxBytes: number; kind: InputKind; signal?: AbortSignal | undefined },
): Promise<{ bytes: number; type: string }> {
  const url = assertFromOrigin(raw, opts.apiOrigin);
  const res = await fetch(url, { redirect: "manual", signal: opts.signal ?? null });
  if (res.status >= 300 && res.status < 400)
    throw new InvalidJobError(`input ${url.pathname} redirects; redirects are not followed`);
  if (res.status >= 400 && res.status < 500)
    throw new InvalidJobError(`input ${url.pathname} answered ${res.status}`);
  if (!res.ok || !res.body) throw new Error(`input ${url.pathname} answered ${res.status}`);
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (declared > opts.maxBytes)
    throw new InvalidJobError(`input ${url.pathname} is larger than ${opts.maxBytes} bytes`);

  let bytes = 0;
  let head = new Uint8Array(0);
  const guard = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.byteLength;
      if (bytes > opts.maxBytes)
        return cb(new InvalidJobError(`input ${url.pathname} is larger than ${opts.maxBytes} bytes`));
      if (head.byteLength < 65536) {
        const merged = new Uint8Array(head.byteLength + chunk.byteLength);
        merged.set(head);
        merged.set(chunk, head.byteLength);
        head = merged;
      }
      cb(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
      guard,
      createWriteStream(dest),
    );
  } catch (err) {
    await rm(dest, { force: true });
    throw err;
  }
  if (opts.kind === "image") {
    if (!imageType(head)) throw new InvalidJobError(`input ${url.pathname} is not a PNG, JPEG or WebP image`);
    const header = readImageHeader(head);
    if (!header) throw new InvalidJobError(`input ${url.pathname} has a damaged image header`);
    if (
      header.width > MAX_IMAGE_SIDE ||
      header.height > MAX_IMAGE_SIDE ||
      header.width * header.height > MAX_IMAGE_PIXELS
    ) {
      throw new InvalidJobError(
        `input ${url.pathname} is ${header.width}x${header.height}, larger than allowed`,
      );
    }
    return { bytes, type: header.contentType };
  }
  if (opts.kind === "video") {
    const video = VIDEO_MAGIC.find(([, test]) => test(head));
    if (!video)
      throw new InvalidJobError(`input ${url.pathname} is not a video file we read (mp4, mov, webm)`);
    return { bytes, type: video[0] };
  }
  const audio = AUDIO_MAGIC.find(([, test]) => test(head));
  if (!audio)
    throw new InvalidJobError(
      `input ${url.pathname} is not an audio file we read (mp3, m4a, wav, ogg, flac)`,
    );
  return { bytes, type: audio[0] };
}
