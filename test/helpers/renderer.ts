import { env, exports } from "cloudflare:workers";
import { HttpResponse, http } from "msw";
import {
  type FrameRequest,
  FrameRequestSchema,
  type RenderSpec,
  RenderSpecSchema,
} from "../../contracts/render-spec";
import { verifyRequest } from "../../contracts/signing";
import { decodeImage, inspectImage } from "../../worker/core/media/decode";
import { encodePng } from "./images";

/**
 * The renderer at its HTTP boundary, for Worker tests (the real one is a Node process with ffmpeg,
 * tested in renderer/test and end to end). It checks what the real one checks — the HMAC signature
 * and the frame schema — fetches the reference images through their signed /files URLs, and
 * answers a PNG with the first reference pasted into the top half of a plain card, as the real
 * card layout does.
 */
export const RENDERER = "http://127.0.0.1:8788";

export interface FrameLog {
  requests: FrameRequest[];
  failures: number;
}

const BACKGROUND: Record<string, [number, number, number]> = {
  anime: [250, 220, 235],
  realistic: [60, 60, 60],
  cinematic: [20, 20, 30],
  watercolor: [240, 235, 220],
  comic: [255, 255, 255],
};

async function paintCard(req: FrameRequest): Promise<Uint8Array> {
  const { width, height } = req;
  const data = new Uint8Array(width * height * 4);
  const [r, g, b] = BACKGROUND[req.style] ?? [0, 0, 0];
  for (let i = 0; i < width * height; i++) data.set([r, g, b, 255], i * 4);
  const first = req.reference_images[0];
  if (first) {
    const res = await exports.default.fetch(new Request(first));
    if (!res.ok) throw new Error(`reference ${first} answered ${res.status}`);
    const bytes = new Uint8Array(await res.arrayBuffer());
    const ref = await decodeImage(bytes, inspectImage(bytes).type);
    const boxW = Math.floor(width / 2);
    const boxH = Math.floor(height / 2);
    for (let y = 0; y < boxH; y++)
      for (let x = 0; x < boxW; x++) {
        const sx = Math.floor((x * ref.width) / boxW);
        const sy = Math.floor((y * ref.height) / boxH);
        data.set(
          ref.data.subarray((sy * ref.width + sx) * 4, (sy * ref.width + sx) * 4 + 4),
          ((y + height / 4) * width + x + width / 4) * 4,
        );
      }
  }
  return encodePng({ width, height, data });
}

/**
 * The renderer's answer on a host that lacks a piece (renderer/src/http/app.ts, tested against the
 * real process in renderer/test/degraded.test.ts): 503 with its reason and the list.
 */
function degraded(missing: string[]) {
  return HttpResponse.json(
    { error: `the renderer cannot render on this host, missing: ${missing.join("; ")}`, missing },
    { status: 503 },
  );
}

export interface FramesOptions {
  /** Answers 503 naming these pieces, as a renderer on a host without ffmpeg or the font. */
  unavailable?: string[];
  /** Answers that many requests with 503 first. */
  failFirst?: number;
  /** Refuses connections, as a renderer that is down. */
  down?: boolean;
  /** Answers 500 to the frames it matches (a renderer that keeps failing on them). */
  failWhen?: (req: FrameRequest) => boolean;
  /** Awaited before each answer: lets a test hold drawings in flight. */
  hold?: (req: FrameRequest) => Promise<void>;
}

/** Handlers for the renderer's /v1/frames. */
export function framesHandler(log: FrameLog, opts: FramesOptions = {}) {
  let toFail = opts.failFirst ?? 0;
  return http.post(`${RENDERER}/v1/frames`, async ({ request }) => {
    if (opts.down) return HttpResponse.error();
    const body = await request.text();
    const url = new URL(request.url);
    const check = await verifyRequest(env.RENDERER_SECRET, {
      method: "POST",
      path: url.pathname + url.search,
      body,
      headers: request.headers,
    });
    if (!check.ok) return HttpResponse.json({ error: check.reason }, { status: 401 });
    const parsed = FrameRequestSchema.safeParse(JSON.parse(body));
    if (!parsed.success) return HttpResponse.json({ error: "invalid frame request" }, { status: 400 });
    if (opts.unavailable) return degraded(opts.unavailable);
    if (toFail > 0) {
      toFail--;
      log.failures++;
      return HttpResponse.json({ error: "busy" }, { status: 503 });
    }
    if (opts.failWhen?.(parsed.data)) {
      log.failures++;
      return HttpResponse.json({ error: "internal error" }, { status: 500 });
    }
    log.requests.push(parsed.data);
    if (opts.hold) await opts.hold(parsed.data);
    const png = await paintCard(parsed.data);
    return new HttpResponse(png as Uint8Array<ArrayBuffer>, { headers: { "Content-Type": "image/png" } });
  });
}

export interface JobsLog {
  specs: RenderSpec[];
  cancels: string[];
}

/** The renderer's job API (`POST /v1/jobs`, `DELETE /v1/jobs/{id}`): signature and spec checked, jobs recorded. */
export function jobsHandlers(
  log: JobsLog,
  opts: { status?: number; down?: boolean; unavailable?: string[] } = {},
) {
  const verified = async (request: { url: string; method: string; headers: Headers }, body: string) => {
    const url = new URL(request.url);
    return verifyRequest(env.RENDERER_SECRET, {
      method: request.method,
      path: url.pathname + url.search,
      body,
      headers: request.headers,
    });
  };
  return [
    http.post(`${RENDERER}/v1/jobs`, async ({ request }) => {
      if (opts.down) return HttpResponse.error();
      const body = await request.text();
      const check = await verified(request, body);
      if (!check.ok) return HttpResponse.json({ error: check.reason }, { status: 401 });
      const parsed = RenderSpecSchema.safeParse(JSON.parse(body));
      if (!parsed.success) return HttpResponse.json({ error: "invalid render spec" }, { status: 400 });
      if (opts.unavailable) return degraded(opts.unavailable);
      if (opts.status && opts.status !== 202)
        return HttpResponse.json({ error: "no" }, { status: opts.status });
      const duplicate = log.specs.some((s) => s.render_id === parsed.data.render_id);
      log.specs.push(parsed.data);
      return HttpResponse.json({ id: parsed.data.render_id, state: "queued", duplicate }, { status: 202 });
    }),
    http.delete(`${RENDERER}/v1/jobs/:id`, async ({ request, params }) => {
      if (opts.down) return HttpResponse.error();
      const check = await verified(request, "");
      if (!check.ok) return HttpResponse.json({ error: check.reason }, { status: 401 });
      log.cancels.push(String(params.id));
      return HttpResponse.json({ id: params.id, state: "cancelled" }, { status: 202 });
    }),
  ];
}
