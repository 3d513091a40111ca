export type VideoEncoder = "libx264" | "h264_nvenc" | "libvpx-vp9";

/**
 * Output options per encoder. libx264 uses exactly the reference's settings (veryfast, CRF 23), so
 * the benchmark compares like with like; NVENC aims at the same quality; WebM is VP9/Opus tuned for
 * speed.
 */
export function encoderOptions(encoder: VideoEncoder, fps: number): string[] {
  const common = ["-pix_fmt", "yuv420p", "-r", String(fps)];
  switch (encoder) {
    case "libx264":
      return [
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        ...common,
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-movflags",
        "+faststart",
      ];
    case "h264_nvenc":
      return [
        "-c:v",
        "h264_nvenc",
        "-preset",
        "p4",
        "-rc",
        "vbr",
        "-cq",
        "23",
        "-b:v",
        "0",
        ...common,
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-movflags",
        "+faststart",
      ];
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
        "-c:a",
        "libopus",
        "-b:a",
        "96k",
      ];
  }
}
