import { execFileSync } from "node:child_process";

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
