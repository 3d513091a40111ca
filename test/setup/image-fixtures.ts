import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

/**
 * Reference images made by a real encoder (Debian's ffmpeg) rather than by our own code, so the
 * Worker's decoders are checked against someone else's PNG/JPEG/WebP. Each is one frame of the same
 * test pattern; `raw` is that frame as RGBA, the truth the decoders are compared with.
 */
export interface ImageFixtures {
  width: number;
  height: number;
  raw: string;
  files: Record<string, string>;
}

declare module "vitest" {
  export interface ProvidedContext {
    imageFixtures: ImageFixtures;
  }
}

const WIDTH = 96;
const HEIGHT = 64;

const VARIANTS: Record<string, string[]> = {
  "rgb.png": ["-pix_fmt", "rgb24"],
  "rgba.png": ["-pix_fmt", "rgba"],
  "gray.png": ["-pix_fmt", "gray"],
  "pal8.png": ["-pix_fmt", "pal8"],
  "rgb48.png": ["-pix_fmt", "rgb48be"],
  "yuv420.jpg": ["-pix_fmt", "yuvj420p", "-q:v", "2"],
  "yuv444.jpg": ["-pix_fmt", "yuvj444p", "-q:v", "2"],
  "lossy.webp": ["-c:v", "libwebp", "-quality", "95"],
  "lossless.webp": ["-c:v", "libwebp", "-lossless", "1", "-pix_fmt", "bgra"],
};

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "sds-images-"));
  const source = ["-f", "lavfi", "-i", `testsrc2=size=${WIDTH}x${HEIGHT}:rate=1`, "-frames:v", "1"];
  const ffmpeg = (args: string[]) =>
    execFileSync("ffmpeg", ["-hide_banner", "-loglevel", "error", "-y", ...source, ...args], {
      stdio: "pipe",
    });
  ffmpeg(["-f", "rawvideo", "-pix_fmt", "rgba", join(dir, "frame.rgba")]);
  const files: Record<string, string> = {};
  for (const [name, args] of Object.entries(VARIANTS)) {
    ffmpeg([...args, join(dir, name)]);
    files[name] = readFileSync(join(dir, name)).toString("base64");
  }
  // A real, short MP4 with a video and an audio track: what the renderer uploads, in miniature.
  execFileSync(
    "ffmpeg",
    [
      ...["-hide_banner", "-loglevel", "error", "-y"],
      ...["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=10:duration=1"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:duration=1"],
      ...["-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart"],
      join(dir, "clip.mp4"),
    ],
    { stdio: "pipe" },
  );
  files["clip.mp4"] = readFileSync(join(dir, "clip.mp4")).toString("base64");
  project.provide("imageFixtures", {
    width: WIDTH,
    height: HEIGHT,
    raw: readFileSync(join(dir, "frame.rgba")).toString("base64"),
    files,
  });
  return () => rmSync(dir, { recursive: true, force: true });
}
