import type { Principal } from "../../core/auth/types";
import type { AppContext } from "../../core/context";

export interface AppVariables {
  requestId: string;
  principal: Principal | undefined;
  /** The request's one context, built on first use by `contextOf(c)`. */
  ctx: AppContext | undefined;
}

/** The Hono environment of every router: the Worker's bindings and the per-request values. */
export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
