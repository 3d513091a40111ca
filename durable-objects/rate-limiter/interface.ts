import { z } from "zod";

/** A request to count against one sliding window. */
export const HitRequestSchema = z.object({
  limit: z.number().int().nonnegative(),
  windowSeconds: z
    .number()
    .int()
    .positive()
    .max(7 * 24 * 3600),
  /** How many units this request consumes (default 1). */
  cost: z.number().int().positive().default(1),
  /** Caller's clock in ms; lets tests move time. Defaults to the object's clock. */
  now: z.number().int().optional(),
  /** Count allowed hits into the per-day usage meter (API calls for billing). */
  meter: z.boolean().default(false),
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
