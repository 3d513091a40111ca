import { DurableObject } from "cloudflare:workers";
import {
  type AcquireRequest,
  AcquireRequestSchema,
  type AcquireResult,
  type DailyUsage,
  type HitRequest,
  HitRequestSchema,
  type HitResult,
} from "./interface";

interface Bucket {
  second: number;
  count: number;
}

/**
 * A sliding-window counter for one subject (a user, an API key, an IP or an email), at one-second
 * resolution. Each object is a single thread, so N+k concurrent hits against a limit of N admit
 * exactly N. SQLite storage is the truth; the in-memory buckets are a cache rebuilt on wake-up, so
 * an eviction loses nothing.
 */
export class RateLimiter extends DurableObject<Env> {
  private buckets: Bucket[] = [];
  private total = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(
        "CREATE TABLE IF NOT EXISTS hits (second INTEGER PRIMARY KEY, count INTEGER NOT NULL)",
      );
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS daily (day TEXT PRIMARY KEY, count INTEGER NOT NULL)");
      this.buckets = ctx.storage.sql
        .exec<{ second: number; count: number }>("SELECT second, count FROM hits ORDER BY second")
        .toArray()
        .map((r) => ({ second: r.second, count: r.count }));
      this.total = this.buckets.reduce((sum, b) => sum + b.count, 0);
    });
  }

  /** Counts the request if it fits in the window; otherwise refuses it without counting. */
  hit(input: HitRequest): HitResult {
    const req = HitRequestSchema.parse(input);
    const nowSecond = Math.floor((req.now ?? Date.now()) / 1000);
    this.prune(nowSecond, req.windowSeconds);
    if (this.total + req.cost > req.limit) {
      return this.result(false, req.limit, req.windowSeconds, nowSecond, req.cost);
    }
    this.add(nowSecond, req.cost);
    if (req.meter) this.meter(nowSecond, req.cost);
    return this.result(true, req.limit, req.windowSeconds, nowSecond, req.cost);
  }

  /**
   * Grants a lease of up to `want` permits, counted now, after taking back the unused permits of
   * the caller's previous lease. Permits never exceed the limit, so leases only partition it.
   */
  acquire(input: AcquireRequest): AcquireResult {
    const req = AcquireRequestSchema.parse(input);
    const nowSecond = Math.floor((req.now ?? Date.now()) / 1000);
    this.prune(nowSecond, req.windowSeconds);
    if (req.release) this.remove(req.release.second, req.release.count, req.meter);
    const granted = Math.max(0, Math.min(req.want, req.limit - this.total));
    if (granted > 0) {
      this.add(nowSecond, granted);
      if (req.meter) this.meter(nowSecond, granted);
    }
    return {
      ...this.result(granted > 0, req.limit, req.windowSeconds, nowSecond, 1),
      granted,
      second: nowSecond,
    };
  }

  /** Reports whether `cost` more units would fit, without counting anything. */
  peek(input: HitRequest): HitResult {
    const req = HitRequestSchema.parse(input);
    const nowSecond = Math.floor((req.now ?? Date.now()) / 1000);
    this.prune(nowSecond, req.windowSeconds);
    return this.result(this.total + req.cost <= req.limit, req.limit, req.windowSeconds, nowSecond, req.cost);
  }

  /** Counts units unconditionally (e.g. a failed login), so later `peek`s see them. */
  record(input: HitRequest): HitResult {
    const req = HitRequestSchema.parse(input);
    const nowSecond = Math.floor((req.now ?? Date.now()) / 1000);
    this.prune(nowSecond, req.windowSeconds);
    this.add(nowSecond, req.cost);
    return this.result(this.total <= req.limit, req.limit, req.windowSeconds, nowSecond, 0);
  }

  /** Forgets every counted unit (a successful login clears its failures). */
  clear(): void {
    this.ctx.storage.sql.exec("DELETE FROM hits");
    this.buckets = [];
    this.total = 0;
  }

  /** Metered units per UTC day in [fromDay, toDay]. */
  usage(fromDay: string, toDay: string): DailyUsage[] {
    return this.ctx.storage.sql
      .exec<{ day: string; count: number }>(
        "SELECT day, count FROM daily WHERE day >= ? AND day <= ? ORDER BY day",
        fromDay,
        toDay,
      )
      .toArray()
      .map((r) => ({ day: r.day, count: r.count }));
  }

  private add(second: number, cost: number) {
    const last = this.buckets.at(-1);
    if (last && last.second === second) last.count += cost;
    else this.buckets.push({ second, count: cost });
    this.total += cost;
    this.ctx.storage.sql.exec(
      "INSERT INTO hits (second, count) VALUES (?, ?) ON CONFLICT(second) DO UPDATE SET count = count + excluded.count",
      second,
      cost,
    );
  }

  /** Un-counts permits that were granted but never used (only if still inside the window). */
  private remove(second: number, count: number, metered: boolean) {
    const bucket = this.buckets.find((b) => b.second === second);
    if (!bucket) return;
    const n = Math.min(count, bucket.count);
    bucket.count -= n;
    this.total -= n;
    this.ctx.storage.sql.exec("UPDATE hits SET count = count - ? WHERE second = ?", n, second);
    if (metered) this.meter(second, -n);
  }

  private meter(second: number, count: number) {
    const day = new Date(second * 1000).toISOString().slice(0, 10);
    this.ctx.storage.sql.exec(
      "INSERT INTO daily (day, count) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET count = count + excluded.count",
      day,
      count,
    );
  }

  private prune(nowSecond: number, windowSeconds: number) {
    const cutoff = nowSecond - windowSeconds;
    let drop = 0;
    while (drop < this.buckets.length && (this.buckets[drop]?.second ?? 0) <= cutoff) {
      this.total -= this.buckets[drop]?.count ?? 0;
      drop++;
    }
    if (drop > 0) {
      this.buckets.splice(0, drop);
      this.ctx.storage.sql.exec("DELETE FROM hits WHERE second <= ?", cutoff);
    }
  }

  private result(
    allowed: boolean,
    limit: number,
    windowSeconds: number,
    nowSecond: number,
    cost: number,
  ): HitResult {
    const oldest = this.buckets[0];
    const resetSeconds = oldest ? Math.max(1, oldest.second + windowSeconds - nowSecond) : 0;
    let retryAfterSeconds = 0;
    if (!allowed) {
      // Walk the buckets oldest first until enough units would have left the window.
      let excess = this.total + cost - limit;
      retryAfterSeconds = windowSeconds;
      for (const bucket of this.buckets) {
        excess -= bucket.count;
        if (excess <= 0) {
          retryAfterSeconds = Math.max(1, bucket.second + windowSeconds - nowSecond);
          break;
        }
      }
    }
    return {
      allowed,
      limit,
      remaining: Math.max(0, limit - this.total),
      resetSeconds,
      retryAfterSeconds,
    };
  }
}
