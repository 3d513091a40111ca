import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import type { RendererConfig } from "./config";
import type { VideoEncoder } from "./ffmpeg/encoder";
import { type Binaries, encoderWorks, ffmpegVersion, ffprobeVersion } from "./ffmpeg/run";

/** What renders and cards need from this host besides Node, once found. */
export interface Toolchain {
  bin: Binaries;
  encoder: VideoEncoder;
  fontFile: string;
  ffmpegVersion: string;
}

/**
 * The host's answer: ready with its toolchain, or the pieces that are missing, each as a phrase a
 * person can act on. A renderer that lacks one keeps serving (health, job status, cancels) and
 * answers what needs it with 503 naming it, rather than dying at start.
 */
export type HostCheck = { ready: true; tools: Toolchain } | { ready: false; missing: string[] };

const DEBIAN_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc";

/** The CJK font for captions and cards: FONT_FILE, else what fontconfig finds for Noto Sans CJK. */
export function findFont(configured: string | undefined): { file: string } | { missing: string } {
  if (configured) {
    return existsSync(configured)
      ? { file: configured }
      : { missing: `the font FONT_FILE=${configured} (no such file)` };
  }
  try {
    const found = execFileSync("fc-match", ["-f", "%{file}", "Noto Sans CJK SC:style=Bold"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
    // fc-match always answers something; only a CJK face will do for Chinese captions.
    if (found && /CJK/i.test(found) && existsSync(found)) return { file: found };
  } catch {
    // fontconfig missing; fall through to the Debian path
  }
  if (existsSync(DEBIAN_CJK)) return { file: DEBIAN_CJK };
  return { missing: "a CJK font (Noto Sans CJK: Debian fonts-noto-cjk, or set FONT_FILE)" };
}

function reason(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e.code === "ENOENT") return "not found";
  return (String(e.message ?? err).split("\n")[0] ?? "").slice(0, 160);
}

/** NVENC when asked for, or on `auto` when the build has it and a one-frame trial encode works; else libx264. */
async function chooseEncoder(config: RendererConfig, bin: Binaries): Promise<VideoEncoder | null> {
  if (config.ENCODER !== "auto") return (await encoderWorks(bin, config.ENCODER)) ? config.ENCODER : null;
  if (await encoderWorks(bin, "h264_nvenc")) return "h264_nvenc";
  return (await encoderWorks(bin, "libx264")) ? "libx264" : null;
}

/** Looks for ffmpeg, ffprobe, a working H.264 encoder and the CJK font. */
export async function checkHost(config: RendererConfig): Promise<HostCheck> {
  const bin = { ffmpegPath: config.FFMPEG_PATH, ffprobePath: config.FFPROBE_PATH };
  const missing: string[] = [];
  const [ffmpeg, ffprobe] = await Promise.allSettled([ffmpegVersion(bin), ffprobeVersion(bin)]);
  if (ffmpeg.status === "rejected") missing.push(`ffmpeg (${config.FFMPEG_PATH}: ${reason(ffmpeg.reason)})`);
  if (ffprobe.status === "rejected")
    missing.push(`ffprobe (${config.FFPROBE_PATH}: ${reason(ffprobe.reason)})`);
  const encoder = ffmpeg.status === "fulfilled" ? await chooseEncoder(config, bin) : null;
  if (ffmpeg.status === "fulfilled" && !encoder) {
    const wanted = config.ENCODER === "auto" ? "libx264" : config.ENCODER;
    missing.push(`ffmpeg's ${wanted} encoder (this build of ffmpeg lacks it or it does not work here)`);
  }
  const font = findFont(config.FONT_FILE);
  if ("missing" in font) missing.push(font.missing);
  if (missing.length > 0 || ffmpeg.status !== "fulfilled" || !encoder || !("file" in font))
    return { ready: false, missing };
  return { ready: true, tools: { bin, encoder, fontFile: font.file, ffmpegVersion: ffmpeg.value } };
}

/** The one sentence a 503 and /healthz give for a host that is not ready. */
export function unavailableReason(missing: string[]): string {
  return `the renderer cannot render on this host, missing: ${missing.join("; ")}`;
}
