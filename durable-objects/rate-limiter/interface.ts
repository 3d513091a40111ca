import { z } from "zod";

/** The window every request names: the limit, its length, and the caller's clock. */
const WindowSchema = z.object({
  limit: z.number().int().nonnegative(),
  windowSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600),
  /** Caller's clock in ms; lets tests move time. Defaults to the object's clock. */
  now: z.number().int().optional(),
  /** Count admitted units into the per-day usage meter (API calls for billing). */
  meter: z.boolean().default(false),
});

/** A request to count against one sliding window. */
export const HitRequestSchema = WindowSchema.extend({
  /** How many units this request consumes (default 1). */
  cost: z.number().int().positive().default(1),
});
export type HitRequest = z.input<typeof HitRequestSchema>;

export interface HitResult {
  allowed: boolean;
  limit: number;
  /** Units left in the window after this request. */
  remaining: number;
  /** Seconds until the oldest counted unit leaves the window (0 when the window is empty). */
  resetSeconds: number;
  /** Seconds until this request could succeed; 0 when allowed. */
  retryAfterSeconds: number;
}

export interface DailyUsage {
  day: string;
  count: number;
}

/**
 * A request for a lease of permits: the caller admits up to `granted` requests on its own, then
 * comes back. Unused permits of its previous lease are handed back in `release`.
 */
export const AcquireRequestSchema = WindowSchema.extend({
  /** Most permits the caller wants now; the object may grant fewer. */
  want: z.number().int().positive().max(1000),
  release: z
    .object({ count: z.number().int().positive(), second: z.number().int().nonnegative() })
    .optional(),
});
export type AcquireRequest = z.input<typeof AcquireRequestSchema>;

export interface AcquireResult extends HitResult {
  /** Permits granted (0 when the window is full). */
  granted: number;
  /** The second the permits were counted in, to name them when releasing. */
  second: number;
}
