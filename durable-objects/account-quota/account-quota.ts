import { DurableObject } from "cloudflare:workers";
import { quotaDay } from "./day";
import {
  type QuotaStatus,
  type ReleaseRequest,
  ReleaseRequestSchema,
  type Reservation,
  type ReserveRequest,
  ReserveRequestSchema,
  type SetUsageRequest,
  SetUsageRequestSchema,
  type StatusRequest,
  StatusRequestSchema,
} from "./interface";

/**
 * The daily quota of one platform account. One object per account serialises every
 * reservation, so 20 parallel leases against a limit of 5 grant exactly 5. The day rolls over
 * lazily at midnight in the configured time zone: yesterday's row is simply not today's. Every
 * reservation is named, so a retried reserve is not counted twice and a release returns the unit
 * exactly once. SQLite storage is the truth; nothing is kept only in memory.
 */
export class AccountQuota extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS usage (day TEXT PRIMARY KEY, used INTEGER NOT NULL)");
      ctx.storage.sql.exec(
        `CREATE TABLE IF NOT EXISTS reservations (
          id TEXT PRIMARY KEY, day TEXT NOT NULL, count INTEGER NOT NULL, granted INTEGER NOT NULL,
          released INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL)`,
      );
    });
  }

  status(input: StatusRequest): QuotaStatus {
    const req = StatusRequestSchema.parse(input);
    return this.snapshot(req.limit, req.now ?? Date.now(), req.timeZone);
  }

  reserve(input: ReserveRequest): Reservation {
    const req = ReserveRequestSchema.parse(input);
    const now = req.now ?? Date.now();
    const { day } = quotaDay(now, req.timeZone);
    const previous = this.ctx.storage.sql
      .exec<{ granted: number }>("SELECT granted FROM reservations WHERE id = ?", req.reservationId)
      .toArray()[0];
    if (previous) {
      return {
        ...this.snapshot(req.limit, now, req.timeZone),
        granted: previous.granted === 1,
        reservationId: req.reservationId,
      };
    }
    const used = this.used(day);
    const granted = used + req.count <= req.limit;
    if (granted) {
      this.ctx.storage.sql.exec(
        "INSERT INTO usage (day, used) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET used = used + excluded.used",
        day,
        req.count,
      );
    }
    this.ctx.storage.sql.exec(
      "INSERT INTO reservations (id, day, count, granted, created_at) VALUES (?, ?, ?, ?, ?)",
      req.reservationId,
      day,
      req.count,
      granted ? 1 : 0,
      now,
    );
    this.prune(now);
    return { ...this.snapshot(req.limit, now, req.timeZone), granted, reservationId: req.reservationId };
  }

  /** Gives a granted reservation back (its task was not claimed after all); at most once. */
  release(input: ReleaseRequest): { released: boolean } {
    const req = ReleaseRequestSchema.parse(input);
    const row = this.ctx.storage.sql
      .exec<{ day: string; count: number; granted: number; released: number }>(
        "SELECT day, count, granted, released FROM reservations WHERE id = ?",
        req.reservationId,
      )
      .toArray()[0];
    if (row?.granted !== 1 || row.released === 1) return { released: false };
    this.ctx.storage.sql.exec("UPDATE reservations SET released = 1 WHERE id = ?", req.reservationId);
    this.ctx.storage.sql.exec("UPDATE usage SET used = MAX(0, used - ?) WHERE day = ?", row.count, row.day);
    return { released: true };
  }

  /** Operator override of today's usage (`reset-usage`). */
  setUsage(input: SetUsageRequest & { limit: number }): QuotaStatus {
    const req = SetUsageRequestSchema.parse(input);
    const now = req.now ?? Date.now();
    const { day } = quotaDay(now, req.timeZone);
    this.ctx.storage.sql.exec(
      "INSERT INTO usage (day, used) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET used = excluded.used",
      day,
      req.usedToday,
    );
    return this.snapshot(input.limit, now, req.timeZone);
  }

  private used(day: string): number {
    return (
      this.ctx.storage.sql.exec<{ used: number }>("SELECT used FROM usage WHERE day = ?", day).toArray()[0]
        ?.used ?? 0
    );
  }

  private snapshot(limit: number, now: number, timeZone: string): QuotaStatus {
    const { day, secondsToMidnight } = quotaDay(now, timeZone);
    const usedToday = this.used(day);
    return { day, usedToday, remaining: Math.max(0, limit - usedToday), resetsInSeconds: secondsToMidnight };
  }

  /** Keeps a week of history: old days and reservations can no longer matter. */
  private prune(now: number) {
    const weekAgo = quotaDay(now - 7 * 86_400_000, "UTC").day;
    this.ctx.storage.sql.exec("DELETE FROM usage WHERE day < ?", weekAgo);
    this.ctx.storage.sql.exec("DELETE FROM reservations WHERE created_at < ?", now - 7 * 86_400_000);
  }
}
