import { type Database, dbOf } from "../db/client";
import { type AppConfig, readConfig } from "../platform/config";
import type { Clock } from "../platform/time";

/**
 * The one context of a request or a job. It is built once — per request by `contextOf(c)`
 * (`platform/http/context.ts`), per queue message, cron run or Durable Object call by
 * `createContext` — and every core function takes it, whichever surface or host calls.
 */
export interface AppContext {
  readonly env: Env;
  readonly db: Database;
  readonly config: AppConfig;
  /**
   * Reads the time. Injected, so that expiry, leases and billing periods can be tested at any
   * instant; read it again only to measure elapsed time (a processing time, a lease extended
   * after a long call). Decisions use `now`.
   */
  readonly clock: Clock;
  /** The instant this request or job is decided at, read once from `clock` unless given. */
  readonly now: number;
  /** The public origin of this API: the request's own, or `PUBLIC_ORIGIN` outside a request. */
  readonly origin: string;
  /**
   * Runs bookkeeping after the answer (`waitUntil` in a request) without slowing it; a failure
   * is logged, never thrown. Outside a request nothing waits for it.
   */
  defer(work: Promise<unknown>): void;
}

export interface ContextOptions {
  clock?: Clock;
  /** The instant the job is for (a cron run's scheduled time); by default `clock()`. */
  now?: number;
  origin?: string;
  defer?: (work: Promise<unknown>) => void;
}

const logFailure = (err: unknown) => console.warn(String(err));

export function createContext(env: Env, opts: ContextOptions = {}): AppContext {
  const config = readConfig(env);
  const clock = opts.clock ?? (() => Date.now());
  const defer = opts.defer;
  return {
    env,
    db: dbOf(env.DB),
    config,
    clock,
    now: opts.now ?? clock(),
    origin: opts.origin ?? config.publicOrigin,
    defer: defer ? (work) => defer(work.catch(logFailure)) : (work) => void work.catch(logFailure),
  };
}
