import type { Context } from "hono";
import type { Principal } from "../../core/auth/types";
import { type AppContext, createContext } from "../../core/context";
import { unauthorized } from "../errors";
import type { AppEnv } from "./app-env";

/**
 * The request's one context, built on first use and kept on the request (`c.var.ctx`): every
 * handler and middleware of one request shares the same database, config and instant.
 */
export function contextOf(c: Context<AppEnv>): AppContext {
  const existing = c.get("ctx");
  if (existing) return existing;
  const ctx = createContext(c.env, {
    origin: new URL(c.req.url).origin,
    defer: (work) => c.executionCtx.waitUntil(work),
  });
  c.set("ctx", ctx);
  return ctx;
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
