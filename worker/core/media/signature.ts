import type { AppearanceSignature } from "../../db/schema/studio";
import type { Rgba } from "./rgba";

/**
 * An appearance signature computed from pixels: a 64-bit perceptual hash (DCT of a 32×32 luminance
 * thumbnail, top-left 8×8 coefficients against their median) and a 4×4×4 RGB colour histogram. It
 * measures how alike two images LOOK — composition, shapes and colours — not who is in them: it is
 * not face recognition and says nothing about identity.
 */
export const SIGNATURE_VERSION = 1;

/** Area-averaged downscale of a region of the image to w×h RGB (transparent pixels count as white). */
function thumbnail(
  img: Rgba,
  w: number,
  h: number,
  region = { x: 0, y: 0, width: img.width, height: img.height },
): Float64Array {
  const out = new Float64Array(w * h * 3);
  const counts = new Float64Array(w * h);
  const stepX = Math.max(1, Math.floor(region.width / (w * 4)));
  const stepY = Math.max(1, Math.floor(region.height / (h * 4)));
  for (let y = region.y; y < region.y + region.height; y += stepY) {
    const ty = Math.min(h - 1, Math.floor(((y - region.y) * h) / region.height));
    for (let x = region.x; x < region.x + region.width; x += stepX) {
      const tx = Math.min(w - 1, Math.floor(((x - region.x) * w) / region.width));
      const p = (y * img.width + x) * 4;
      const a = (img.data[p + 3] ?? 255) / 255;
      const t = ty * w + tx;
      out[t * 3] = (out[t * 3] ?? 0) + (img.data[p] ?? 0) * a + 255 * (1 - a);
      out[t * 3 + 1] = (out[t * 3 + 1] ?? 0) + (img.data[p + 1] ?? 0) * a + 255 * (1 - a);
      out[t * 3 + 2] = (out[t * 3 + 2] ?? 0) + (img.data[p + 2] ?? 0) * a + 255 * (1 - a);
      counts[t] = (counts[t] ?? 0) + 1;
    }
  }
  for (let t = 0; t < w * h; t++) {
    const c = counts[t] || 1;
    out[t * 3] = (out[t * 3] ?? 0) / c;
    out[t * 3 + 1] = (out[t * 3 + 1] ?? 0) / c;
    out[t * 3 + 2] = (out[t * 3 + 2] ?? 0) / c;
  }
  return out;
}

const N = 32;
const COS = Array.from({ length: 8 }, (_, u) =>
  Array.from({ length: N }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N))),
);

function perceptualHash(rgb: Float64Array): string {
  const lum = new Float64Array(N * N);
  for (let i = 0; i < N * N; i++)
    lum[i] = 0.299 * (rgb[i * 3] ?? 0) + 0.587 * (rgb[i * 3 + 1] ?? 0) + 0.114 * (rgb[i * 3 + 2] ?? 0);
  const coeffs: number[] = [];
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let sum = 0;
      const cu = COS[u] as number[];
      const cv = COS[v] as number[];
      for (let y = 0; y < N; y++) {
        let row = 0;
        for (let x = 0; x < N; x++) row += (lum[y * N + x] ?? 0) * (cv[x] ?? 0);
        sum += row * (cu[y] ?? 0);
      }
      coeffs.push(sum);
    }
  }
  const ac = coeffs.slice(1);
  const median = [...ac].sort((a, b) => a - b)[Math.floor(ac.length / 2)] ?? 0;
  let bits = 0n;
  coeffs.forEach((c, i) => {
    if (i > 0 && c > median) bits |= 1n << BigInt(i);
  });
  return bits.toString(16).padStart(16, "0");
}

function histogram(rgb: Float64Array): number[] {
  const bins = new Array<number>(64).fill(0);
  const pixels = rgb.length / 3;
  for (let i = 0; i < pixels; i++) {
    const r = Math.min(3, Math.floor((rgb[i * 3] ?? 0) / 64));
    const g = Math.min(3, Math.floor((rgb[i * 3 + 1] ?? 0) / 64));
    const b = Math.min(3, Math.floor((rgb[i * 3 + 2] ?? 0) / 64));
    bins[r * 16 + g * 4 + b] = (bins[r * 16 + g * 4 + b] ?? 0) + 1;
  }
  return bins.map((n) => Math.round((n / pixels) * 10000) / 10000);
}

export function signatureOf(
  img: Rgba,
  region?: { x: number; y: number; width: number; height: number },
): AppearanceSignature {
  return {
    version: SIGNATURE_VERSION,
    phash: perceptualHash(thumbnail(img, N, N, region)),
    histogram: histogram(thumbnail(img, 64, 64, region)),
  };
}

function hamming(a: string, b: string): number {
  let x = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let n = 0;
  while (x) {
    n += Number(x & 1n);
    x >>= 1n;
  }
  return n;
}

/** 0..1: half the perceptual-hash agreement, half the histogram intersection. */
export function similarity(a: AppearanceSignature, b: AppearanceSignature): number {
  const hash = 1 - hamming(a.phash, b.phash) / 64;
  let overlap = 0;
  for (let i = 0; i < 64; i++) overlap += Math.min(a.histogram[i] ?? 0, b.histogram[i] ?? 0);
  return Math.round((0.5 * hash + 0.5 * overlap) * 1000) / 1000;
}

/**
 * How consistent a storyboard image is with its characters: for each character, its best match
 * over the whole image and over windows of a half (3×3 grid) and a third (5×5 grid) of its size (a
 * character is usually one part of a scene), averaged over the characters. Null when the storyboard
 * names no characters.
 */
export function consistencyScore(img: Rgba, characters: AppearanceSignature[]): number | null {
  if (characters.length === 0) return null;
  const regions = [{ x: 0, y: 0, width: img.width, height: img.height }];
  for (const [fraction, steps] of [
    [2, 3],
    [3, 5],
  ] as const) {
    const w = Math.max(1, Math.floor(img.width / fraction));
    const h = Math.max(1, Math.floor(img.height / fraction));
    for (let gy = 0; gy < steps; gy++) {
      for (let gx = 0; gx < steps; gx++) {
        regions.push({
          x: Math.floor((gx * (img.width - w)) / (steps - 1)),
          y: Math.floor((gy * (img.height - h)) / (steps - 1)),
          width: w,
          height: h,
        });
      }
    }
  }
  const windows = regions.map((r) => signatureOf(img, r));
  const best = characters.map((c) => Math.max(...windows.map((s) => similarity(s, c))));
  return Math.round((best.reduce((a, b) => a + b, 0) / best.length) * 1000) / 1000;
}
