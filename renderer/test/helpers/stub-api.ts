import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { type RenderEvent, RenderEventSchema } from "../../../contracts/render-events";
import { type SegmentAnswer, SegmentLookupRequestSchema } from "../../../contracts/segments";
import { verifyRequest } from "../../../contracts/signing";

/**
 * A stand-in for the Worker's side of the renderer protocol, used by the renderer's tests and the
 * render benchmark (the Worker's real endpoints come with the export issue): it serves input files,
 * accepts streamed and multipart uploads, records signed events, and keeps a shot-segment cache
 * (contracts/segments.ts) at `segmentsUrl`: a lookup answers a hit for every key uploaded before
 * and a miss with an upload target for the rest.
 */
export interface StubApi {
  origin: string;
  /** Serve `body` at `path` (inputs). */
  serve(path: string, body: Buffer | string, contentType?: string): void;
  /** Answer `status` at `path` (a failing input). */
  fail(path: string, status: number): void;
  /** An upload target under this server. */
  target(name: string, maxBytes?: number): { url: string; max_bytes: number };
  uploaded(
    name: string,
  ): Promise<{ file: string; size: number; contentType: string; parts: number } | undefined>;
  events: RenderEvent[];
  /** Requests to the event endpoint that failed the signature check. */
  rejectedEvents: number;
  /** Make the event endpoint answer this status (e.g. 503) until reset. */
  eventStatus: number;
  requests: { method: string; path: string }[];
  /** The segment cache's lookup URL (a spec's `segments_url`). */
  segmentsUrl: string;
  /** Keys of the segments stored, and how many lookups were answered. */
  segmentKeys(): string[];
  segmentLookups: number;
  /** Make the lookup answer this status (e.g. 503) until reset to 200. */
  segmentStatus: number;
  /** Replace a stored segment's bytes (a corrupt cache entry). */
  corruptSegment(key: string, bytes: Buffer): void;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export async function startStubApi(secret: string): Promise<StubApi> {
  const dir = await mkdtemp(join(tmpdir(), "sds-stub-"));
  const files = new Map<string, { body: Buffer; type: string }>();
  const failing = new Map<string, number>();
  const uploads = new Map<string, { file: string; size: number; contentType: string; parts: number }>();
  const multipart = new Map<string, { name: string; parts: Map<number, string>; contentType: string }>();
  const state = { rejectedEvents: 0, eventStatus: 200, segmentStatus: 200, segmentLookups: 0 };
  // What the Worker would keep per segment: the object and the SHA-256 its upload reported.
  const segments = new Map<string, { file?: string; body?: Buffer; sha256: string }>();
  const events: RenderEvent[] = [];
  const requests: { method: string; path: string }[] = [];

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://stub");
    requests.push({ method: req.method ?? "", path: url.pathname });
    try {
      if (failing.has(url.pathname)) {
        res.writeHead(failing.get(url.pathname) ?? 500);
        return res.end();
      }
      if (req.method === "GET" && files.has(url.pathname)) {
        const f = files.get(url.pathname)!;
        res.writeHead(200, { "Content-Type": f.type, "Content-Length": f.body.byteLength });
        return res.end(f.body);
      }
      if (req.method === "POST" && url.pathname === "/segments") {
        const raw = await body(req);
        const check = await verifyRequest(secret, {
          method: "POST",
          path: url.pathname + url.search,
          body: new Uint8Array(raw),
          headers: { get: (n: string) => (req.headers[n] as string | undefined) ?? null },
        });
        if (!check.ok) {
          res.writeHead(401);
          return res.end();
        }
        if (state.segmentStatus !== 200) {
          res.writeHead(state.segmentStatus);
          return res.end();
        }
        state.segmentLookups++;
        const lookup = SegmentLookupRequestSchema.parse(JSON.parse(raw.toString()));
        const ext = lookup.container === "webm" ? "webm" : "ts";
        const answers: SegmentAnswer[] = [];
        for (const seg of lookup.segments) {
          const held = segments.get(seg.key);
          const size = held?.body?.byteLength ?? (held?.file ? (await stat(held.file)).size : 0);
          answers.push(
            held
              ? {
                  key: seg.key,
                  status: "hit",
                  url: `${origin}/segments/${seg.key}`,
                  size,
                  sha256: held.sha256,
                }
              : {
                  key: seg.key,
                  status: "miss",
                  upload: { url: `${origin}/upload/seg-${seg.key}.${ext}`, max_bytes: 50 * 1024 * 1024 },
                },
          );
        }
        res.writeHead(200, { "Content-Type": "application/json" });
        return res.end(JSON.stringify({ segments: answers }));
      }
      const held = /^\/segments\/([0-9a-f]{64})$/.exec(url.pathname)?.[1];
      if (req.method === "GET" && held && segments.has(held)) {
        const seg = segments.get(held) as { file?: string; body?: Buffer; sha256: string };
        const bytes = seg.body ?? (await readFile(seg.file as string));
        res.writeHead(200, { "Content-Type": "video/mp2t", "Content-Length": bytes.byteLength });
        return res.end(bytes);
      }
      const upload = /^\/upload\/([a-z0-9_.-]+)$/i.exec(url.pathname)?.[1];
      if (upload) {
        if (req.method === "PUT" && !url.searchParams.has("upload_id")) {
          const file = join(dir, upload);
          await pipeline(req, createWriteStream(file));
          const size = (await stat(file)).size;
          if (String(size) !== req.headers["content-length"]) throw new Error("length mismatch");
          uploads.set(upload, { file, size, contentType: String(req.headers["content-type"]), parts: 1 });
          const key = /^seg-([0-9a-f]{64})\.\w+$/.exec(upload)?.[1];
          if (key) segments.set(key, { file, sha256: sha256(await readFile(file)) });
          res.writeHead(200, { "Content-Type": "application/json" });
          return res.end(JSON.stringify({ size }));
        }
        if (req.method === "POST" && url.searchParams.has("uploads")) {
          const id = `mpu-${multipart.size + 1}`;
          multipart.set(id, {
            name: upload,
            parts: new Map(),
            contentType: String(req.headers["content-type"]),
          });
          res.writeHead(200, { "Content-Type": "application/json" });
          return res.end(JSON.stringify({ upload_id: id }));
        }
        const id = url.searchParams.get("upload_id");
        const mpu = id ? multipart.get(id) : undefined;
        if (mpu && req.method === "PUT") {
          const part = Number(url.searchParams.get("part"));
          const file = join(dir, `${id}.${part}`);
          await pipeline(req, createWriteStream(file));
          mpu.parts.set(part, file);
          res.writeHead(200, { "Content-Type": "application/json" });
          return res.end(JSON.stringify({ part, etag: `etag-${part}` }));
        }
        if (mpu && req.method === "POST" && url.searchParams.has("complete")) {
          const { parts } = JSON.parse((await body(req)).toString()) as { parts: { part: number }[] };
          const file = join(dir, mpu.name);
          const out = createWriteStream(file);
          for (const p of parts) out.write(await readFile(mpu.parts.get(p.part)!));
          await new Promise((r) => out.end(r));
          const size = (await stat(file)).size;
          uploads.set(mpu.name, { file, size, contentType: mpu.contentType, parts: parts.length });
          res.writeHead(200, { "Content-Type": "application/json" });
          return res.end(JSON.stringify({ size }));
        }
      }
      if (req.method === "POST" && url.pathname === "/events") {
        const raw = await body(req);
        const check = await verifyRequest(secret, {
          method: "POST",
          path: url.pathname + url.search,
          body: new Uint8Array(raw),
          headers: { get: (n: string) => (req.headers[n] as string | undefined) ?? null },
        });
        if (!check.ok) {
          state.rejectedEvents++;
          res.writeHead(401);
          return res.end();
        }
        if (state.eventStatus !== 200) {
          res.writeHead(state.eventStatus);
          return res.end();
        }
        events.push(RenderEventSchema.parse(JSON.parse(raw.toString())));
        res.writeHead(200, { "Content-Type": "application/json" });
        return res.end("{}");
      }
      res.writeHead(404);
      res.end();
    } catch (err) {
      res.writeHead(500);
      res.end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no address");
  const origin = `http://127.0.0.1:${address.port}`;

  return {
    origin,
    serve(path, content, type = "application/octet-stream") {
      files.set(path, { body: Buffer.isBuffer(content) ? content : Buffer.from(content), type });
    },
    fail(path, status) {
      failing.set(path, status);
    },
    target(name, maxBytes = 200 * 1024 * 1024) {
      return { url: `${origin}/upload/${name}`, max_bytes: maxBytes };
    },
    async uploaded(name) {
      return uploads.get(name);
    },
    events,
    get rejectedEvents() {
      return state.rejectedEvents;
    },
    get eventStatus() {
      return state.eventStatus;
    },
    set eventStatus(v: number) {
      state.eventStatus = v;
    },
    requests,
    segmentsUrl: `${origin}/segments`,
    segmentKeys: () => [...segments.keys()],
    get segmentLookups() {
      return state.segmentLookups;
    },
    get segmentStatus() {
      return state.segmentStatus;
    },
    set segmentStatus(v: number) {
      state.segmentStatus = v;
    },
    corruptSegment(key, bytes) {
      // Storage damage: the bytes change, the recorded hash does not.
      segments.set(key, { body: bytes, sha256: segments.get(key)?.sha256 ?? "" });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function sha256(buf: Buffer): string {
  return createHash("sha256").update(buf).digest("hex");
}
