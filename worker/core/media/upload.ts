import { type Sniffed, sniffMedia } from "../../../contracts/sniff";
import { AppError } from "../../platform/errors";

const HEAD_BYTES = 64;

/** Reads the first bytes of a stream and returns them with a stream of everything (head included). */
async function peek(body: ReadableStream<Uint8Array>, bytes: number) {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  while (length < bytes) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.byteLength;
  }
  const head = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    head.set(c, offset);
    offset += c.byteLength;
  }
  const whole = new ReadableStream<Uint8Array>({
    start(controller) {
      if (head.byteLength > 0) controller.enqueue(head);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { head, whole };
}

export interface StoredObject {
  key: string;
  size: number;
  sniffed: Sniffed;
}

/**
 * Streams a request body into R2 without holding it in memory: the length must be declared and
 * within `maxBytes`, the type is read from the first bytes (and must be one `accept` allows), and
 * the stream is pinned to the declared length so a body that lies about it fails the write.
 */
export async function streamToBucket(
  bucket: R2Bucket,
  key: string,
  body: ReadableStream<Uint8Array> | null,
  opts: {
    contentLength: string | undefined;
    maxBytes: number;
    accept: (s: Sniffed) => boolean;
    /** Stored instead of the sniffed type (text formats the sniffer only knows as text). */
    contentType?: string;
  },
): Promise<StoredObject> {
  if (!body) throw new AppError("BAD_REQUEST", "The request has no body");
  const length = opts.contentLength === undefined ? Number.NaN : Number(opts.contentLength);
  if (!Number.isInteger(length) || length < 0) {
    throw new AppError("BAD_REQUEST", "Send the upload with a Content-Length header");
  }
  if (length > opts.maxBytes)
    throw new AppError("PAYLOAD_TOO_LARGE", `The upload exceeds ${opts.maxBytes} bytes`);
  if (length === 0) throw new AppError("BAD_REQUEST", "The upload is empty");
  const { head, whole } = await peek(body, HEAD_BYTES);
  const sniffed = sniffMedia(head);
  if (!sniffed || !opts.accept(sniffed)) {
    await whole.cancel();
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "The file's content is not an accepted type");
  }
  const fixed = new FixedLengthStream(length);
  const piping = whole.pipeTo(fixed.writable).catch(() => undefined);
  try {
    await bucket.put(key, fixed.readable, {
      httpMetadata: { contentType: opts.contentType ?? sniffed.contentType },
    });
  } catch {
    throw new AppError("BAD_REQUEST", "The upload did not match its Content-Length");
  } finally {
    await piping;
  }
  return { key, size: length, sniffed };
}
