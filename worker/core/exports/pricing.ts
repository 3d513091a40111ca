import type { Resolution } from "../../../contracts/render-spec";

/**
 * Export pricing, in hundredths of a credit: a base price plus a price per minute of
 * video. 180 s at 1080p = 5 + 15 × 3 = 50.00, the API documentation's example.
 */
export const PRICING: Record<Resolution, { base: number; perMinute: number }> = {
  "720p": { base: 3_00, perMinute: 10_00 },
  "1080p": { base: 5_00, perMinute: 15_00 },
  "4k": { base: 10_00, perMinute: 40_00 },
};

export function exportCost(resolution: Resolution, videoSeconds: number): number {
  const p = PRICING[resolution];
  return p.base + Math.round((p.perMinute * videoSeconds) / 60);
}

/** Fixed cost of a render beyond encoding: fetching inputs, poster, contact sheet, uploads. */
const RENDER_OVERHEAD_SECONDS = 5;

/**
 * The renderer's measured speed, x-realtime, per resolution: `RENDER_X_REALTIME_<RES>` (set from
 * `npm run bench:render`), defaulting to what the benchmark measured on the reference machine.
 */
export function renderSpeed(env: Env, resolution: Resolution): number {
  const raw = {
    "720p": env.RENDER_X_REALTIME_720P,
    "1080p": env.RENDER_X_REALTIME_1080P,
    "4k": env.RENDER_X_REALTIME_4K,
  }[resolution];
  const value = Number(raw);
  if (Number.isFinite(value) && value > 0) return value;
  return { "720p": 3.5, "1080p": 1.7, "4k": 0.45 }[resolution];
}

export function estimatedRenderSeconds(env: Env, resolution: Resolution, videoSeconds: number): number {
  return Math.ceil(RENDER_OVERHEAD_SECONDS + videoSeconds / renderSpeed(env, resolution));
}
