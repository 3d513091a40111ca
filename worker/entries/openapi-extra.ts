import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { RenderEventSchema } from "../../contracts/render-events";
import { FrameSchema } from "../../contracts/workflow-frames";
import type { AppEnv } from "../platform/http/app-env";
import { errorResponses } from "../platform/openapi-responses";
import { StudioErrorSchema } from "../studio/errors";

/**
 * Routes served outside the zod route definitions (WebSocket upgrades, raw byte streams, the
 * renderer's callbacks, the docs themselves), described here so the document lists every route
 * the app serves (a test compares the two).
 */
const errors = (...statuses: number[]) => errorResponses(StudioErrorSchema, {}, statuses);

export function registerExtraPaths(app: OpenAPIHono<AppEnv>) {
  const r = app.openAPIRegistry;
  r.registerPath({
    method: "get",
    path: "/ws/progress/{workflow_id}",
    tags: ["Workflows"],
    summary: "Live progress over WebSocket",
    description:
      "Upgrade with `?token=<JWT or API key>` (browsers cannot send headers); `&last_seq=N` replays the frames after N " +
      "instead of a snapshot. Messages are ProgressFrame JSON; a text `ping` is answered `pong`. Refused sockets are " +
      "accepted and closed with 4401 (bad token), 4403 (scope), 4404 (not your workflow), 4429 (rate limited).",
    request: {
      params: z.object({ workflow_id: z.string().openapi({ example: "1" }) }),
      query: z.object({ token: z.string(), last_seq: z.string().optional() }),
    },
    responses: {
      101: {
        description: "Switching protocols; then ProgressFrame messages",
        content: { "application/json": { schema: FrameSchema } },
      },
      ...errors(400),
    },
  });
  r.registerPath({
    method: "get",
    path: "/files/{key}",
    tags: ["Downloads"],
    summary: "A stored file through a signed, expiring URL",
    description:
      "URLs come from the API (`image_url`, `video_url`, ...): `?exp=&sig=` (and `download=`). Supports `Range` " +
      "(206/416), `ETag`/`If-None-Match`; an edited or expired URL is 403.",
    request: {
      params: z.object({ key: z.string() }),
      query: z.object({ exp: z.string(), sig: z.string(), download: z.string().optional() }),
    },
    responses: {
      200: { description: "The file", content: { "application/octet-stream": { schema: z.string() } } },
      206: { description: "The requested range" },
      ...errors(403, 404, 416),
    },
  });
  r.registerPath({
    method: "head",
    path: "/files/{key}",
    tags: ["Downloads"],
    summary: "The headers of a stored file (size, type, ETag) through a signed URL",
    request: { params: z.object({ key: z.string() }), query: z.object({ exp: z.string(), sig: z.string() }) },
    responses: { 200: { description: "Headers only" }, ...errors(403, 404) },
  });
  const token = z.object({ token: z.string().openapi({ description: "From a render spec's upload URL" }) });
  r.registerPath({
    method: "put",
    path: "/internal/uploads/{token}",
    tags: ["Renderer (internal)"],
    summary: "The renderer uploads one output (or one part of a multipart upload)",
    description:
      "Single-use, expiring token bound to one R2 key, a maximum size and a content type. A plain PUT (with " +
      "Content-Length, ≤ 95 MB) stores the file; `?upload_id=&part=` stores a part (see contracts/upload-protocol.ts).",
    request: {
      params: token,
      query: z.object({ upload_id: z.string().optional(), part: z.string().optional() }),
    },
    responses: {
      200: {
        description: "Stored",
        content: {
          "application/json": {
            schema: z.object({ size: z.number().int(), duplicate: z.boolean().optional() }),
            example: { size: 52428800 },
          },
        },
      },
      ...errors(400, 403, 413, 415),
    },
  });
  r.registerPath({
    method: "post",
    path: "/internal/uploads/{token}",
    tags: ["Renderer (internal)"],
    summary: "Start (`?uploads`) or complete (`?upload_id=&complete`) a multipart upload",
    request: {
      params: token,
      body: {
        required: false,
        content: {
          "application/json": {
            schema: z.object({ parts: z.array(z.object({ part: z.number().int(), etag: z.string() })) }),
            example: { parts: [{ part: 1, etag: "0f343b0931126a20f133d67c2b018a3b" }] },
          },
        },
      },
    },
    responses: {
      200: {
        description: "The upload id, or the completed size",
        content: {
          "application/json": {
            schema: z.object({ upload_id: z.string().optional(), size: z.number().int().optional() }),
            example: { upload_id: "2~hZxYwVuTsRqPoNmLkJiHgFeDcBa" },
          },
        },
      },
      ...errors(400, 403, 413, 415),
    },
  });
  r.registerPath({
    method: "post",
    path: "/internal/renders/{export_id}/events",
    tags: ["Renderer (internal)"],
    summary: "The renderer reports progress, completion, failure or cancellation of a render",
    description:
      "HMAC-SHA256 over timestamp, nonce, method, path and body hash (`x-sds-timestamp`, `x-sds-nonce`, " +
      "`x-sds-signature`, window 300 s). Idempotent; a completion is refused (409) unless R2 holds every output.",
    request: {
      params: z.object({ export_id: z.string() }),
      body: {
        required: true,
        content: {
          "application/json": {
            schema: RenderEventSchema,
            example: {
              render_id: "export-1",
              event_id: "export-1-progress-7",
              sequence: 7,
              sent_at: "2026-02-08T10:01:30Z",
              type: "progress",
              progress: 0.45,
              stage: "rendering",
              eta_seconds: 40,
            },
          },
        },
      },
    },
    responses: {
      200: {
        description: "Applied (or already applied: `applied: false`)",
        content: {
          "application/json": {
            schema: z.object({ ok: z.boolean(), applied: z.boolean().optional() }),
            example: { ok: true, applied: true },
          },
        },
      },
      ...errors(400, 401, 404, 409),
    },
  });
  r.registerPath({
    method: "get",
    path: "/api/openapi.json",
    tags: ["Docs"],
    summary: "This document",
    responses: {
      200: {
        description: "OpenAPI 3.1",
        content: {
          "application/json": {
            schema: z.object({}).catchall(z.unknown()),
            example: { openapi: "3.1.0", info: { title: "Short Drama Studio API" }, paths: {} },
          },
        },
      },
      ...errors(),
    },
  });
  r.registerPath({
    method: "get",
    path: "/api/docs",
    tags: ["Docs"],
    summary: "Interactive API reference (Scalar)",
    responses: {
      200: { description: "HTML", content: { "text/html": { schema: z.string() } } },
      ...errors(),
    },
  });
}
