import type { Context } from "hono";
import type { AppEnv, Principal } from "../app-env";
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
