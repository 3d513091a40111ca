import type { HitRequest, HitResult } from "./interface";

export type RateLimitFailureMode = "open" | "closed";

/**
 * Addresses RateLimiter objects by name (`<policy>:<subject>`), retries once on a transient error,
 * and then either lets the request through (`open`: availability of the API matters more than an
 * exact count) or refuses it (`closed`: brute-force guards must not disappear with an outage).
 */
export class RateLimiterClient {
  constructor(private readonly namespace: DurableObjectNamespace<import("./rate-limiter").RateLimiter>) {}

  private stub(name: string) {
    return this.namespace.get(this.namespace.idFromName(name));
  }

  async hit(name: string, req: HitRequest, failure: RateLimitFailureMode): Promise<HitResult> {
    return this.call(name, req, failure, (stub) => stub.hit(req));
  }

  async peek(name: string, req: HitRequest, failure: RateLimitFailureMode): Promise<HitResult> {
    return this.call(name, req, failure, (stub) => stub.peek(req));
  }

  async record(name: string, req: HitRequest): Promise<void> {
    await this.call(name, req, "open", (stub) => stub.record(req));
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

  private async call(
    name: string,
    req: HitRequest,
    failure: RateLimitFailureMode,
    fn: (stub: DurableObjectStub<import("./rate-limiter").RateLimiter>) => Promise<HitResult>,
  ): Promise<HitResult> {
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
    const allowed = failure === "open";
    return {
      allowed,
      limit: req.limit,
      remaining: allowed ? req.limit : 0,
      resetSeconds: 0,
      retryAfterSeconds: allowed ? 0 : 1,
    };
  }
}
