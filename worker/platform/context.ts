import type { Context } from "hono";
import type { AppEnv, Principal } from "../app-env";
import type { CoreContext } from "../core/context";
import { createDb, type Database } from "../db/client";
import { readConfig } from "./config";
import { unauthorized } from "./errors";

const dbCache = new WeakMap<D1Database, Database>();

export function dbOf(env: Env): Database {
  let db = dbCache.get(env.DB);
  if (!db) {
    db = createDb(env.DB);
    dbCache.set(env.DB, db);
  }
  return db;
}

/** What a handler needs to call the core, built from the request context. */
export function servicesOf(c: Context<AppEnv>) {
  return {
    db: dbOf(c.env),
    config: readConfig(c.env),
    now: Date.now(),
    defer: (work: Promise<unknown>) => c.executionCtx.waitUntil(work.catch((e) => console.warn(String(e)))),
  };
}

/** The authenticated caller; routes reach here only behind an auth middleware. */
export function principalOf(c: Context<AppEnv>): Principal {
  const p = c.get("principal");
  if (!p) throw unauthorized();
  return p;
}

/** The client address as Cloudflare reports it; only used as a rate-limit subject. */
export function clientIp(c: Context<AppEnv>): string {
  return c.req.header("CF-Connecting-IP") ?? "unknown";
}

/** The core's view of a request: bindings, database, config, clock and the public origin. */
export function coreOf(c: Context<AppEnv>): CoreContext {
  const s = servicesOf(c);
  return { env: c.env, db: s.db, config: s.config, now: s.now, origin: new URL(c.req.url).origin };
}

/**
 * The same for work that runs outside a request (queue consumer, Durable Objects, cron): the public
 * origin comes from `PUBLIC_ORIGIN`, since there is no request URL to take it from.
 */
export function backgroundCore(env: Env, now = Date.now()): CoreContext {
  return {
    env,
    db: dbOf(env),
    config: readConfig(env),
    now,
    origin: publicOrigin(env),
  };
}

/** The origin the renderer fetches inputs from (it accepts no other). */
export function publicOrigin(env: Env): string {
  return (env.PUBLIC_ORIGIN || "http://127.0.0.1:8787").replace(/\/+$/, "");
}
