import { type FrameRequest, FrameRequestSchema, type RenderSpec } from "../../../contracts/render-spec";
import { signRequest } from "../../../contracts/signing";
import { AppError } from "../../platform/errors";

/**
 * The one place the Worker calls the renderer: every request HMAC-signed with the shared secret
 * (contracts/signing.ts). An unreachable or failing renderer is a 503 to the caller, with a hint to
 * retry; a refusal of what we sent is our bug and stays a 500.
 */
export class RendererUnavailable extends AppError {
  constructor(detail: string) {
    super("SERVICE_UNAVAILABLE", detail, { retryAfter: 5 });
  }
}

/**
 * The renderer's own words for an outage or a refusal (its `{error}` body: "missing: ffmpeg …",
 * "cannot reach Redis …"), cut short, so the caller's 503 says what is wrong rather than only that
 * something is.
 */
async function rendererReason(res: Response): Promise<string> {
  const text = (await res.text().catch(() => "")).slice(0, 4000);
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof error === "string") return error.slice(0, 300);
  } catch {
    // not JSON: the text itself
  }
  return text.trim().slice(0, 200);
}

const because = (reason: string) => (reason ? `: ${reason}` : "");

async function signedFetch(
  env: Env,
  method: string,
  path: string,
  body?: string,
  timeoutMs = 60_000,
): Promise<Response> {
  const base = (env.RENDERER_URL || "").replace(/\/+$/, "");
  if (!base) throw new RendererUnavailable("No renderer is configured (RENDERER_URL)");
  const headers = await signRequest(env.RENDERER_SECRET, { method, path, body: body ?? "" });
  try {
    return await fetch(`${base}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new RendererUnavailable(
      `The renderer is unavailable (${String(err).slice(0, 120)}); try again shortly`,
    );
  }
}

/** Draws a still card (`POST /v1/frames`) and returns the PNG bytes. */
export async function drawFrame(env: Env, request: FrameRequest): Promise<Uint8Array> {
  const body = JSON.stringify(FrameRequestSchema.parse(request));
  const res = await signedFetch(env, "POST", "/v1/frames", body);
  if (res.status >= 500 || res.status === 429) {
    const reason = await rendererReason(res);
    throw new RendererUnavailable(
      `The renderer failed to draw the frame (HTTP ${res.status}${because(reason)}); try again shortly`,
    );
  }
  if (!res.ok) {
    const detail = await res.text();
    throw new AppError(
      "INTERNAL_SERVER_ERROR",
      `The renderer refused a frame request: ${detail.slice(0, 200)}`,
    );
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  if (res.headers.get("content-type") !== "image/png" || bytes.byteLength < 8) {
    throw new RendererUnavailable("The renderer answered without a PNG; try again shortly");
  }
  return bytes;
}

export type SubmitResult = { kind: "accepted"; duplicate: boolean } | { kind: "refused"; detail: string };

/** Render jobs: `POST /v1/jobs` (idempotent by render id) and `DELETE /v1/jobs/{id}`. */
export function renderJobs(env: Env) {
  return {
    async submit(spec: RenderSpec): Promise<SubmitResult> {
      const res = await signedFetch(env, "POST", "/v1/jobs", JSON.stringify(spec), 30_000);
      if (res.status === 202 || res.status === 200) {
        const body = (await res.json().catch(() => ({}))) as { duplicate?: boolean };
        return { kind: "accepted", duplicate: body.duplicate === true };
      }
      if (res.status === 400 || res.status === 413)
        return { kind: "refused", detail: (await res.text()).slice(0, 300) };
      const reason = await rendererReason(res);
      throw new RendererUnavailable(
        `The renderer answered ${res.status} to a render job${because(reason)}; it will be retried`,
      );
    },
    /** Asks the renderer to stop a render; a render that is gone or finished is fine. */
    async cancel(renderId: string): Promise<void> {
      const res = await signedFetch(
        env,
        "DELETE",
        `/v1/jobs/${encodeURIComponent(renderId)}`,
        undefined,
        15_000,
      );
      if (res.status >= 500) throw new RendererUnavailable(`The renderer answered ${res.status} to a cancel`);
    },
  };
}
