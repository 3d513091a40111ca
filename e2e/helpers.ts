import { execFileSync } from "node:child_process";

/** Plain HTTP against the running stack (the SDK's own tests live in sdk/). */
export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; json?: unknown } = {},
): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.json !== undefined ? { "Content-Type": "application/json" } : {}),
      ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
    },
    body: opts.json !== undefined ? JSON.stringify(opts.json) : null,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : null) as T;
}

export interface Probe {
  duration: number;
  width: number;
  height: number;
  audio: boolean;
  videoCodec: string;
}

/** What ffprobe says about a media file. */
export function ffprobe(path: string): Probe {
  const out = JSON.parse(
    execFileSync("ffprobe", ["-v", "error", "-show_format", "-show_streams", "-of", "json", path], {
      encoding: "utf8",
    }),
  ) as {
    format: { duration: string };
    streams: { codec_type: string; codec_name: string; width?: number; height?: number }[];
  };
  const video = out.streams.find((s) => s.codec_type === "video");
  return {
    duration: Number(out.format.duration),
    width: video?.width ?? 0,
    height: video?.height ?? 0,
    audio: out.streams.some((s) => s.codec_type === "audio"),
    videoCodec: video?.codec_name ?? "",
  };
}
