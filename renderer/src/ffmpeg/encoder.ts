export type VideoEncoder = "libx264" | "h264_nvenc" | "libvpx-vp9";

/**
 * Video options per encoder. libx264 uses exactly the reference's settings (veryfast, CRF 23), so
 * the benchmark compares like with like; NVENC aims at the same quality; WebM is VP9 tuned for
 * speed.
 */
export function videoOptions(encoder: VideoEncoder, fps: number): string[] {
  const common = ["-pix_fmt", "yuv420p", "-r", String(fps)];
  switch (encoder) {
    case "libx264":
      return ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", ...common];
    case "h264_nvenc":
      return ["-c:v", "h264_nvenc", "-preset", "p4", "-rc", "vbr", "-cq", "23", "-b:v", "0", ...common];
    case "libvpx-vp9":
      return [
        "-c:v",
        "libvpx-vp9",
        "-b:v",
        "0",
        "-crf",
        "32",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-row-mt",
        "1",
        ...common,
      ];
  }
}

/** The audio track's codec and container: AAC in MP4 beside H.264, Opus in WebM beside VP9. */
export function audioOptions(encoder: VideoEncoder): string[] {
  return encoder === "libvpx-vp9"
    ? ["-c:a", "libopus", "-b:a", "96k", "-f", "webm"]
    : ["-c:a", "aac", "-b:a", "128k", "-f", "mp4"];
}
