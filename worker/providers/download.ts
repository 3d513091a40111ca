import { sniffAudio, sniffVideo } from "../../contracts/sniff";
import { malformed } from "./errors";
import { guardedFetch, httpErrorOf } from "./http";
import { verifyImage } from "./media";
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type ProviderDeps } from "./types";

const HEAD_BYTES = 64;

export interface OpenedMedia {
  /** The whole body, head included, still under the byte cap and the timeout. */
  stream: ReadableStream<Uint8Array>;
  mediaType: string;
  /** What the server declared, if anything (R2 multipart needs to know; it is not trusted). */
  declaredLength: number | undefined;
}

/**
 * Opens a result URL (a vendor's video or audio, which may be hundreds of MB: more than a
 * Worker may hold) for the core to stream into R2. The URL came from a vendor's answer, so it
 * goes through the same guard as every call; the first bytes are checked to be what the kind
 * promises before the stream is handed over, and the cap and timeout keep applying as it flows.
 */
export async function openMedia(
  url: string,
  kind: "tts" | "video",
  deps: Pick<ProviderDeps, "fetch" | "signal" | "timeoutMs" | "maxBytes">,
  vendor = "the provider's file host",
): Promise<OpenedMedia> {
  const fetchImpl = guardedFetch({
    vendor,
    fetch: deps.fetch,
    signal: deps.signal,
    timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS[kind] * 10,
    maxBytes: deps.maxBytes ?? DEFAULT_MAX_BYTES[kind],
    secrets: [],
    allowPrivate: false,
  });
  const response = await fetchImpl(url);
  if (!response.ok) throw await httpErrorOf(vendor, response, []);
  if (!response.body) throw malformed(vendor, "an empty file");
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let have = 0;
  while (have < HEAD_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    have += value.byteLength;
  }
  const head = concat(chunks);
  const mediaType = kind === "video" ? sniffVideo(head) : sniffAudio(head);
  if (!mediaType) {
    await reader.cancel().catch(() => undefined);
    throw malformed(vendor, kind === "video" ? "a file that is not a video" : "a file that is not audio");
  }
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.byteLength) controller.enqueue(head);
    },
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(error);
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const declared = Number(response.headers.get("content-length") ?? "");
  return {
    stream,
    mediaType,
    declaredLength: Number.isFinite(declared) && declared > 0 ? declared : undefined,
  };
}

/** Downloads and verifies an image result URL (images are small enough to hold). */
export async function downloadImage(
  url: string,
  deps: Pick<ProviderDeps, "fetch" | "signal" | "timeoutMs" | "maxBytes">,
  vendor = "the provider's file host",
): Promise<{ bytes: Uint8Array; mediaType: string; width: number; height: number }> {
  const fetchImpl = guardedFetch({
    vendor,
    fetch: deps.fetch,
    signal: deps.signal,
    timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS.image,
    maxBytes: deps.maxBytes ?? DEFAULT_MAX_BYTES.image,
    secrets: [],
    allowPrivate: false,
  });
  const response = await fetchImpl(url);
  if (!response.ok) throw await httpErrorOf(vendor, response, []);
  const bytes = new Uint8Array(await response.arrayBuffer());
  return { bytes, ...verifyImage(vendor, bytes) };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
