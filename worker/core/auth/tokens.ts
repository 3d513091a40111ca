import { type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { sha256Hex, utf8 } from "../../../contracts/crypto";
import type { AppConfig } from "../../platform/config";
import { unauthorized } from "../../platform/errors";

/** The only algorithm we sign with or accept (RFC 8725 §3.1): `alg: none` and others are refused. */
export const JWT_ALGORITHMS = ["HS256"] as const;

/** Clock skew tolerated between the issuer and this Worker. */
const CLOCK_TOLERANCE_SECONDS = 5;

export interface AccessClaims {
  userId: number;
  sessionId: string;
}

interface SigningKey {
  kid: string;
  key: Uint8Array<ArrayBuffer>;
}

const keyCache = new Map<string, SigningKey>();

async function signingKey(secret: string): Promise<SigningKey> {
  const hit = keyCache.get(secret);
  if (hit) return hit;
  // The kid is derived from the secret, so it names a key without revealing it and is only ever
  // used as a map key.
  const entry = { kid: (await sha256Hex(`kid:${secret}`)).slice(0, 16), key: utf8(secret) };
  keyCache.set(secret, entry);
  return entry;
}

export interface TokenSecrets {
  current: string;
  previous?: string | undefined;
}

export function tokenSecrets(env: Env): TokenSecrets {
  if (!env.JWT_SECRET || env.JWT_SECRET.length < 32) {
    throw new Error("JWT_SECRET is missing or shorter than 32 characters");
  }
  return { current: env.JWT_SECRET, previous: env.JWT_SECRET_PREVIOUS || undefined };
}

export async function issueAccessToken(
  secrets: TokenSecrets,
  config: AppConfig,
  claims: AccessClaims,
  nowMs: number,
): Promise<string> {
  const { kid, key } = await signingKey(secrets.current);
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ sid: claims.sessionId, typ: "access" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", kid })
    .setIssuer(config.jwt.issuer)
    .setAudience(config.jwt.audience)
    .setSubject(String(claims.userId))
    .setIssuedAt(iat)
    .setExpirationTime(iat + config.jwt.accessTtlSeconds)
    .sign(key);
}

/**
 * Verifies an access token: HS256 only, a known `kid`, our `iss` and `aud`, `exp`/`iat` present and
 * within tolerance, and `typ: access`. Any failure is the same 401 to the caller.
 */
export async function verifyAccessToken(
  secrets: TokenSecrets,
  config: AppConfig,
  token: string,
  nowMs: number,
): Promise<AccessClaims> {
  const keys = new Map<string, Uint8Array<ArrayBuffer>>();
  for (const secret of [secrets.current, secrets.previous]) {
    if (!secret) continue;
    const k = await signingKey(secret);
    keys.set(k.kid, k.key);
  }
  let payload: JWTPayload;
  try {
    const result = await jwtVerify(
      token,
      (header) => {
        const key = typeof header.kid === "string" ? keys.get(header.kid) : undefined;
        if (!key) throw new joseErrors.JWKSNoMatchingKey();
        return key;
      },
      {
        algorithms: [...JWT_ALGORITHMS],
        issuer: config.jwt.issuer,
        audience: config.jwt.audience,
        requiredClaims: ["exp", "iat", "sub", "sid"],
        currentDate: new Date(nowMs),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: config.jwt.accessTtlSeconds + CLOCK_TOLERANCE_SECONDS,
      },
    );
    payload = result.payload;
  } catch {
    throw unauthorized("Invalid or expired token");
  }
  const iat = payload.iat ?? 0;
  if (iat * 1000 > nowMs + CLOCK_TOLERANCE_SECONDS * 1000) throw unauthorized("Invalid or expired token");
  if (
    payload.typ !== "access" ||
    typeof payload.sid !== "string" ||
    !/^[1-9]\d{0,15}$/.test(payload.sub ?? "")
  ) {
    throw unauthorized("Invalid or expired token");
  }
  return { userId: Number(payload.sub), sessionId: payload.sid };
}
