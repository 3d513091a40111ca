import { z } from "zod";

const Clock = {
  /** Caller's clock in ms (tests move time with it). */
  now: z.number().int().optional(),
  /** IANA time zone whose midnight starts a new quota day. */
  timeZone: z.string().default("UTC"),
};

export const StatusRequestSchema = z.object({ limit: z.number().int().nonnegative(), ...Clock });
export type StatusRequest = z.input<typeof StatusRequestSchema>;

export const ReserveRequestSchema = z.object({
  limit: z.number().int().nonnegative(),
  count: z.number().int().positive().default(1),
  /** Names the reservation so a retried reserve or release is applied once. */
  reservationId: z.string().min(1).max(100),
  ...Clock,
});
export type ReserveRequest = z.input<typeof ReserveRequestSchema>;

export const ReleaseRequestSchema = z.object({ reservationId: z.string().min(1).max(100) });
export type ReleaseRequest = z.input<typeof ReleaseRequestSchema>;

export const SetUsageRequestSchema = z.object({ usedToday: z.number().int().nonnegative(), ...Clock });
export type SetUsageRequest = z.input<typeof SetUsageRequestSchema>;

export interface QuotaStatus {
  day: string;
  usedToday: number;
  remaining: number;
  /** Seconds until the next quota day starts. */
  resetsInSeconds: number;
}

export interface Reservation extends QuotaStatus {
  granted: boolean;
  reservationId: string;
}
