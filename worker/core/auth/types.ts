import type { ApiKeyScope } from "../../db/schema/studio";
import type { Tier } from "../billing/tiers";

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
