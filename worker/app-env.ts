import type { Tier } from "./core/billing/tiers";
import type { AppContext } from "./core/context";
import type { ApiKeyScope } from "./db/schema/studio";

/**
 * What a credential may do: the API-key scopes, plus `admin` (operator endpoints), which only the
 * JWT of a user listed in ADMIN_EMAILS carries — never an API key.
 */
export type Scope = ApiKeyScope | "admin";

/** Who is calling: resolved once per request from the Bearer token (JWT or API key). */
export interface Principal {
  userId: number;
  tier: Tier;
  via: "jwt" | "api_key";
  /** A user's own JWT carries every scope; an API key carries the scopes it was created with. */
  scopes: readonly Scope[];
  /** Login session (refresh-token family) of a JWT. */
  sessionId?: string;
  apiKeyId?: string;
}

export interface AppVariables {
  requestId: string;
  principal: Principal | undefined;
  /** The request's one context, built on first use by `contextOf(c)`. */
  ctx: AppContext | undefined;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
