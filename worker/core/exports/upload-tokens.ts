import { randomToken, sha256Hex } from "../../../contracts/crypto";
import { insertUploadTokens } from "../../db/queries/upload-tokens";
import type { AppContext } from "../context";

/**
 * Single-use, expiring permissions for the renderer to PUT one output into R2 through
 * `/internal/uploads/{token}`: bound to one key, a maximum size and a content type. Only the
 * token's SHA-256 is stored, so the table alone grants nothing.
 */
export const UPLOAD_TOKEN_TTL_MS = 24 * 3600_000;

export interface UploadGrant {
  key: string;
  maxBytes: number;
  contentType: string;
  purpose: string;
}

export async function issueUploadTokens(
  ctx: AppContext,
  ownerId: number,
  grants: UploadGrant[],
): Promise<string[]> {
  const tokens = grants.map(() => randomToken(32));
  const rows = await Promise.all(
    grants.map(async (g, i) => ({
      id: await sha256Hex(tokens[i] as string),
      ownerId,
      r2Key: g.key,
      maxBytes: g.maxBytes,
      contentType: g.contentType,
      purpose: g.purpose,
      expiresAt: ctx.now + UPLOAD_TOKEN_TTL_MS,
      createdAt: ctx.now,
    })),
  );
  await insertUploadTokens(ctx.db, rows);
  return tokens.map((t) => `${ctx.config.publicOrigin}/internal/uploads/${t}`);
}
