import { randomToken, sha256Hex } from "../../../contracts/crypto";
import { insertApiKey, listApiKeys, revokeApiKey } from "../../db/queries/accounts";
import type { ApiKeyScope } from "../../db/schema/studio";
import { notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { principalCache } from "./principal-cache";

/** Every API key starts with this, which is how a Bearer token is told apart from a JWT. */
export const API_KEY_PREFIX = "sds_";

export async function createApiKey(
  { db, now }: AppContext,
  userId: number,
  input: { name: string; scopes: ApiKeyScope[]; expiresInDays?: number | undefined },
) {
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const row = await insertApiKey(db, {
    id: `key_${randomToken(12)}`,
    userId,
    name: input.name,
    prefix: key.slice(0, 12),
    keyHash: await sha256Hex(key),
    scopes: [...new Set(input.scopes)],
    now,
    expiresAt: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
  });
  return { row, key };
}

export async function listKeys(ctx: AppContext, userId: number) {
  return listApiKeys(ctx.db, userId);
}

export async function revokeKey({ db, now }: AppContext, userId: number, keyId: string) {
  if (!(await revokeApiKey(db, userId, keyId, now))) throw notFound("API key");
  principalCache.evictApiKey(keyId);
}
