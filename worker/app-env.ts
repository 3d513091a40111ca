import type { Tier } from "./core/billing/tiers";
import type { ApiKeyScope } from "./db/schema/studio";

/** Who is calling: resolved once per request from the Bearer token (JWT or API key). */
export interface Principal {
  userId: number;
  tier: Tier;
  via: "jwt" | "api_key";
  /** A user's own JWT carries every scope; an API key carries the scopes it was created with. */
  scopes: readonly ApiKeyScope[];
  /** Login session (refresh-token family) of a JWT. */
  sessionId?: string;
  apiKeyId?: string;
}

export interface AppVariables {
  requestId: string;
  principal: Principal | undefined;
}

export interface AppEnv {
  Bindings: Env;
  Variables: AppVariables;
}
