/**
 * The one backoff rule of the Worker, the renderer and the dev tools: the delay before retry `n`
 * (0 for the first retry) is `base × 2ⁿ`, never more than `max`. Units are the caller's (seconds
 * for queue redelivery, milliseconds for timers).
 */
export function exponentialBackoff(n: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, n));
}
