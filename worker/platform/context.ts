// Transitional: the workflow code (a colleague's part of this change) still imports these names.
// They are the one context of core/context.ts under its old names; this file goes when that code
// takes `contextOf` / `createContext`. Nothing else may import it (a known dependency-cruiser
// violation until then: platform/ importing core/).
import type { Context } from "hono";
import { type AppContext, createContext } from "../core/context";
import { type Database, dbOf as dbOfBinding } from "../db/client";
import type { AppEnv } from "./http/app-env";
import { contextOf } from "./http/context";

export { principalOf } from "./http/context";

/** @deprecated use `createContext(env).db` */
export function dbOf(env: Env): Database {
  return dbOfBinding(env.DB);
}

/** @deprecated use `contextOf(c)` */
export function servicesOf(c: Context<AppEnv>): AppContext {
  return contextOf(c);
}

/** @deprecated use `contextOf(c)` */
export function coreOf(c: Context<AppEnv>): AppContext {
  return contextOf(c);
}

/** @deprecated use `createContext(env, { now })` */
export function backgroundCore(env: Env, now = Date.now()): AppContext {
  return createContext(env, { now });
}

/** @deprecated use `config.publicOrigin` */
export function publicOrigin(env: Env): string {
  return createContext(env).config.publicOrigin;
}
