import type { AcquireRequest, AcquireResult, DailyUsage, HitRequest, HitResult } from "./interface";
import type { RateLimiter } from "./rate-limiter";

export type RateLimitFailureMode = "open" | "closed";

/**
 * Addresses RateLimiter objects by name (`<policy>:<subject>`), retries once on a transient error,
 * and then either lets the request through (`open`: availability of the API matters more than an
 * exact count) or refuses it (`closed`: brute-force guards must not disappear with an outage).
 */
export class RateLimiterClient {
  constructor(private readonly namespace: DurableObjectNamespace<RateLimiter>) {}

  private stub(name: string) {
    return this.namespace.get(this.namespace.idFromName(name));
  }

  hit(name: string, req: HitRequest, failure: RateLimitFailureMode): Promise<HitResult> {
    return this.call(
      name,
      failure,
      (stub) => stub.hit(req),
      (allowed) => fallback(req.limit, allowed),
    );
  }

  acquire(name: string, req: AcquireRequest, failure: RateLimitFailureMode): Promise<AcquireResult> {
    return this.call(
      name,
      failure,
      (stub) => stub.acquire(req),
      (allowed) => ({
        ...fallback(req.limit, allowed),
        granted: allowed ? 1 : 0,
        second: Math.floor(Date.now() / 1000),
      }),
    );
  }

  /** Metered units per UTC day of one subject; an unreachable object reads as no usage (logged). */
  async usage(name: string, fromDay: string, toDay: string): Promise<DailyUsage[]> {
    return this.call<DailyUsage[]>(
      name,
      "open",
      async (stub) => (await stub.usage(fromDay, toDay)).map((d) => ({ day: d.day, count: d.count })),
      () => [],
    );
  }

  async clear(name: string): Promise<void> {
    try {
      await this.stub(name).clear();
    } catch (err) {
      console.warn(
        JSON.stringify({ level: "warn", msg: "rate limiter clear failed", name, err: String(err) }),
      );
    }
  }

  private async call<T>(
    name: string,
    failure: RateLimitFailureMode,
    fn: (stub: DurableObjectStub<RateLimiter>) => Promise<T>,
    onUnavailable: (allowed: boolean) => T,
  ): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        return await fn(this.stub(name));
      } catch (err) {
        lastError = err;
        // Overloaded objects and code errors do not get better on an immediate retry.
        if ((err as { overloaded?: boolean }).overloaded || !(err as { retryable?: boolean }).retryable)
          break;
      }
    }
    console.warn(
      JSON.stringify({
        level: "warn",
        msg: "rate limiter unavailable",
        name,
        failure,
        err: String(lastError),
      }),
    );
    return onUnavailable(failure === "open");
  }
}

function fallback(limit: number, allowed: boolean): HitResult {
  return {
    allowed,
    limit,
    remaining: allowed ? limit : 0,
    resetSeconds: 0,
    retryAfterSeconds: allowed ? 0 : 1,
  };
}
