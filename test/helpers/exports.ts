import { env } from "cloudflare:workers";
import type { RenderEvent, RenderEventBody } from "../../contracts/render-events";
import type { RenderSpec } from "../../contracts/render-spec";
import { signRequest } from "../../contracts/signing";
import { call } from "./http";
import { fixture } from "./images";
import { studioProject } from "./studio";

/**
 * The renderer's side of an export, for Worker tests: it puts outputs through the upload URLs of
 * a render spec and posts signed events to its callback, exactly as renderer/src does over HTTP.
 * The path and query of a URL the Worker handed out (its origin is the configured public one). */
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

export function upload(url: string, bytes: Uint8Array, opts: { length?: number } = {}) {
  return call("PUT", pathOf(url), {
    headers: { "Content-Length": String(opts.length ?? bytes.byteLength) },
    body: bytes as Uint8Array<ArrayBuffer>,
  });
}

let sequence = 0;

/** Posts one event to the spec's callback, signed with the shared secret unless told otherwise. */
export async function sendEvent(
  callbackUrl: string,
  event: RenderEventBody & { render_id?: string; event_id?: string },
  opts: { secret?: string; nowSeconds?: number; tamper?: (body: string) => string } = {},
) {
  const exportId = callbackUrl.match(/renders\/(\d+)\//)?.[1];
  const full = {
    render_id: `export-${exportId}`,
    event_id: crypto.randomUUID(),
    sequence: ++sequence,
    sent_at: new Date().toISOString(),
    ...event,
  } as RenderEvent;
  const body = JSON.stringify(full);
  const path = new URL(callbackUrl).pathname;
  const headers = await signRequest(opts.secret ?? env.RENDERER_SECRET, {
    method: "POST",
    path,
    body,
    ...(opts.nowSeconds !== undefined ? { nowSeconds: opts.nowSeconds } : {}),
  });
  return call("POST", pathOf(callbackUrl), {
    headers: { ...headers, "Content-Type": "application/json" },
    body: opts.tamper ? opts.tamper(body) : body,
  });
}

export const OUTPUT_BYTES = {
  video: () => fixture("clip.mp4"),
  srt: () => new TextEncoder().encode("1\n00:00:00,000 --> 00:00:01,000\n小明：今天天气真好。\n"),
  vtt: () => new TextEncoder().encode("WEBVTT\n\n00:00.000 --> 00:01.000\n小明：今天天气真好。\n"),
  poster: () => fixture("yuv420.jpg"),
  contact_sheet: () => fixture("rgb.png"),
};

/** Uploads every output of a spec and reports what a completion event carries. */
export async function uploadOutputs(spec: RenderSpec) {
  const outputs: Record<string, { url: string; size: number; content_type: string }> = {};
  const types = {
    video: "video/mp4",
    srt: "application/x-subrip",
    vtt: "text/vtt",
    poster: "image/jpeg",
    contact_sheet: "image/png",
  };
  for (const name of ["video", "srt", "vtt", "poster", "contact_sheet"] as const) {
    const target = spec.outputs[name];
    if (!target) continue;
    const bytes = OUTPUT_BYTES[name]();
    const res = await upload(target.url, bytes);
    if (res.status !== 200) throw new Error(`upload of ${name} answered ${res.status} ${res.text}`);
    outputs[name] = { url: target.url, size: bytes.byteLength, content_type: types[name] };
  }
  return outputs as Extract<RenderEvent, { type: "completed" }>["outputs"];
}

export function completedEvent(
  outputs: Extract<RenderEvent, { type: "completed" }>["outputs"],
  duration: number,
): RenderEventBody {
  return {
    type: "completed",
    outputs,
    duration,
    width: 720,
    height: 1280,
    encoder: "libx264",
    render_seconds: 2.5,
    x_realtime: duration / 2.5,
  };
}

/** A project with storyboards of the given durations (scenes without images become text cards). */
export async function exportableProject(
  token: string,
  durations: number[],
  body: Record<string, unknown> = {},
) {
  const project = await studioProject(token, body);
  for (const [i, duration] of durations.entries()) {
    const res = await call("POST", "/api/v1/storyboards", {
      token,
      json: {
        project_id: project.id,
        description: `第${i + 1}场：湖边`,
        caption: `小明：第${i + 1}句。`,
        duration,
      },
    });
    if (res.status !== 200) throw new Error(`storyboard create failed ${res.status} ${res.text}`);
  }
  return project;
}

export function exportIdOf(spec: RenderSpec): number {
  return Number(spec.callback_url.match(/renders\/(\d+)\//)?.[1]);
}
