import type { RateLimiterClient } from "./client";
import type { AcquireResult, HitResult } from "./interface";

/** How long an isolate may sit on leased permits before handing the rest back. */
const LEASE_MS = 2_000;

interface LocalLease {
  permits: number;
  second: number;
  expiresAt: number;
  /** What the object had left after the last grant (excluding our permits). */
  remainingElsewhere: number;
  resetSeconds: number;
  inflight: Promise<void> | null;
  denial: AcquireResult | null;
}

/**
 * Admits requests against a RateLimiter object without a round trip per request: an isolate leases
 * a few permits at a time and spends them locally. Leases shrink as the budget does — one permit at
 * a time when fewer than 20 remain — so the limit stays exact where it matters (N of N+k concurrent
 * requests pass). Far from the limit, a lease is at most 1/20 of what remains, and an isolate that
 * goes quiet holds at most that much until the window rolls. Unused permits are handed back when
 * the isolate next asks.
 */
export class LeasedPermits {
  private readonly leases = new Map<string, LocalLease>();

  constructor(private readonly client: RateLimiterClient) {}

  async take(
    name: string,
    policy: { limit: number; windowSeconds: number; meter?: boolean },
    now: number,
  ): Promise<HitResult> {
    const key = `${name}|${policy.limit}|${policy.windowSeconds}`;
    for (;;) {
      let lease = this.leases.get(key);
      if (!lease) {
        lease = {
          permits: 0,
          second: 0,
          expiresAt: 0,
          remainingElsewhere: policy.limit,
          resetSeconds: 0,
          inflight: null,
          denial: null,
        };
        this.leases.set(key, lease);
      }
      if (lease.permits > 0 && lease.expiresAt > now) {
        lease.permits--;
        return {
          allowed: true,
          limit: policy.limit,
          remaining: lease.remainingElsewhere + lease.permits,
          resetSeconds: lease.resetSeconds,
          retryAfterSeconds: 0,
        };
      }
      if (lease.inflight) {
        await lease.inflight;
        const denial = lease.denial;
        if (denial && denial.granted === 0) return denial;
        continue;
      }
      lease.inflight = this.renew(name, lease, policy, now).finally(() => {
        if (lease) lease.inflight = null;
      });
    }
  }

  private async renew(
    name: string,
    lease: LocalLease,
    policy: { limit: number; windowSeconds: number; meter?: boolean },
    now: number,
  ): Promise<void> {
    const want = Math.max(1, Math.min(50, Math.floor(lease.remainingElsewhere / 20)));
    const release = lease.permits > 0 ? { count: lease.permits, second: lease.second } : undefined;
    lease.permits = 0;
    const result = await this.client.acquire(
      name,
      {
        limit: policy.limit,
        windowSeconds: policy.windowSeconds,
        want,
        release,
        meter: policy.meter ?? false,
        now,
      },
      "open",
    );
    lease.permits = result.granted;
    lease.second = result.second;
    lease.expiresAt = now + LEASE_MS;
    lease.remainingElsewhere = result.remaining;
    lease.resetSeconds = result.resetSeconds;
    lease.denial = result.granted === 0 ? result : null;
  }
}
