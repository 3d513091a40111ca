/**
 * How many segment encodes run at once, and how many threads each libx264 gets, from the cores
 * and the memory a render may use.
 *
 * Figures measured on the 2-core benchmark machine (ffmpeg 5.1, libx264 `veryfast` CRF 23, a
 * 105-frame 1080×1920 body segment: decode, 2× scale, zoompan, drawtext, encode):
 *
 * | x264 threads | peak RSS of the ffmpeg | CPU s | wall s |
 * |---|---|---|---|
 * | 1    | 240 MB | 1.89 | 2.10 (one core, fully used) |
 * | 2    | 288 MB | 2.04 | 1.49 |
 * | auto (3 on 2 cores) | 307 MB | 1.98 | 1.81 |
 *
 * One thread per encoder is the most work per CPU second (frame threads cost x264 efficiency and
 * memory, and ffmpeg's filter graph runs in the same process anyway), so the renderer runs one
 * single-threaded encoder per core while memory allows, and gives the cores to fewer, wider
 * encoders when it does not. Memory per encoder scales with the canvas: about 70 MB of ffmpeg
 * and filter buffers plus ~82 bytes per canvas pixel for x264's frames and lookahead at one
 * thread, ~20 % more per extra thread. The quality settings (preset, CRF, lookahead, rate control)
 * never change; only `-threads` does.
 */
export interface EncodingChoice {
  parallel: number;
  threads: number;
}

const BASE_MB = 70;
const BYTES_PER_PIXEL = 82;

/** Estimated peak memory of one encoder (MB) at this canvas and thread count. */
export function encoderMemoryMb(pixels: number, threads: number): number {
  return BASE_MB + ((pixels * BYTES_PER_PIXEL) / 1e6) * (1 + 0.2 * (threads - 1));
}

export function chooseEncoding(p: {
  cores: number;
  /** What the render's encoders may use together, MB. */
  memoryMb: number;
  pixels: number;
  /** Caps from configuration. */
  maxParallel?: number | undefined;
  threads?: number | undefined;
}): EncodingChoice {
  const cores = Math.max(1, Math.floor(p.cores));
  const byMemory = Math.max(1, Math.floor(p.memoryMb / encoderMemoryMb(p.pixels, 1)));
  const parallel = Math.max(1, Math.min(cores, byMemory, p.maxParallel ?? cores));
  const threads = p.threads ?? Math.max(1, Math.floor(cores / parallel));
  return { parallel, threads };
}
