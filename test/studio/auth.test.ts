import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { call, expectStudioError, newUser, uniqueIp } from "../helpers/http";

const secret = new TextEncoder().encode(env.JWT_SECRET);

async function kidOf(value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`kid:${value}`));
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("")
    .slice(0, 16);
}

function b64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Pulls `sid` out of a real token so forged tokens point at a live session. */
function sessionOf(token: string): string {
  const payload = JSON.parse(atob((token.split(".")[1] ?? "").replace(/-/g, "+").replace(/_/g, "/")));
  return payload.sid;
}

describe("register", () => {
  it("creates the user as the API documents it, with the free subscription", async () => {
    const email = `Seed-${crypto.randomUUID().slice(0, 6)}@Example.com`;
    const res = await call("POST", "/api/v1/auth/register", {
      json: { email, password: "SecurePassword123!", username: "johndoe" },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.any(Number),
      email: email.toLowerCase(),
      username: "johndoe",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
    });
    const sub = await env.DB.prepare(
      "SELECT tier, quota_total, quota_used, status FROM subscriptions WHERE user_id = ?",
    )
      .bind(res.body.id)
      .first();
    expect(sub).toEqual({ tier: "free", quota_total: 10000, quota_used: 0, status: "active" });
    const grant = await env.DB.prepare("SELECT kind, amount FROM credit_ledger WHERE owner_id = ?")
      .bind(res.body.id)
      .all();
    expect(grant.results).toEqual([{ kind: "grant", amount: 10000 }]);
  });

  it("refuses a duplicate email (any case) with the documented 400", async () => {
    const user = await newUser();
    const res = await call("POST", "/api/v1/auth/register", {
      json: { email: user.email.toUpperCase(), password: "AnotherPass123!", username: "x" },
    });
    const err = expectStudioError(res, 400, "BAD_REQUEST");
    expect(err.detail).toBe("Email already registered");
  });

  it("creates exactly one account when the same email registers concurrently", async () => {
    const email = `race-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        call("POST", "/api/v1/auth/register", {
          json: { email, password: "SecurePassword123!", username: "r" },
        }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 400)).toHaveLength(7);
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email = ?")
      .bind(email)
      .first("n");
    expect(count).toBe(1);
    const subs = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM subscriptions s JOIN users u ON u.id = s.user_id WHERE u.email = ?",
    )
      .bind(email)
      .first("n");
    expect(subs).toBe(1);
  });

  it("answers 422 with field errors for bad bodies and writes nothing", async () => {
    const res = await call("POST", "/api/v1/auth/register", {
      json: { email: "not-an-email", password: "short", username: "", role: "admin" },
    });
    const err = expectStudioError(res, 422, "VALIDATION_ERROR");
    const fields = err.errors?.map((e) => e.field) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining(["body.email", "body.password", "body.username", "body.role"]),
    );
    const count = await env.DB.prepare("SELECT COUNT(*) AS n FROM users WHERE email = 'not-an-email'").first(
      "n",
    );
    expect(count).toBe(0);
  });

  it("refuses an oversized password before hashing it", async () => {
    const res = await call("POST", "/api/v1/auth/register", {
      json: { email: "big@example.com", password: "x".repeat(1_000_000), username: "big" },
    });
    expect(res.status === 413 || res.status === 422).toBe(true);
  });
});

describe("login", () => {
  it("accepts the OAuth2 form and JSON", async () => {
    const user = await newUser();
    const form = await call("POST", "/api/v1/auth/login", {
      form: { username: user.email, password: user.password },
      ip: user.ip,
    });
    expect(form.status).toBe(200);
    expect(form.body).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^rt_/),
    });
    const json = await call("POST", "/api/v1/auth/login", {
      json: { email: user.email.toUpperCase(), password: user.password },
      ip: user.ip,
    });
    expect(json.status).toBe(200);
  });

  it("gives the same 401 for a wrong password and an unknown email", async () => {
    const user = await newUser();
    const wrong = await call("POST", "/api/v1/auth/login", {
      form: { username: user.email, password: "WrongPass123!" },
    });
    const unknown = await call("POST", "/api/v1/auth/login", {
      form: { username: "nobody-here@example.com", password: "WrongPass123!" },
    });
    expectStudioError(wrong, 401, "UNAUTHORIZED");
    expectStudioError(unknown, 401, "UNAUTHORIZED");
    const strip = (b: Record<string, unknown>) => ({ ...b, timestamp: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
  });

  it("refuses credentials in the URL", async () => {
    const user = await newUser();
    const res = await call(
      "POST",
      `/api/v1/auth/login?username=${encodeURIComponent(user.email)}&password=${user.password}`,
      { form: { username: user.email, password: user.password } },
    );
    expectStudioError(res, 400, "BAD_REQUEST");
  });

  it("answers 422 when the body is neither form nor JSON credentials", async () => {
    expectStudioError(await call("POST", "/api/v1/auth/login", {}), 422, "VALIDATION_ERROR");
    expectStudioError(
      await call("POST", "/api/v1/auth/login", { json: { password: "x" } }),
      422,
      "VALIDATION_ERROR",
    );
    const res = await call("POST", "/api/v1/auth/login", {
      body: "hello",
      headers: { "Content-Type": "text/plain" },
    });
    expectStudioError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("answers 400 for malformed JSON", async () => {
    const res = await call("POST", "/api/v1/auth/login", {
      body: '{"email": ',
      headers: { "Content-Type": "application/json" },
    });
    expectStudioError(res, 400, "BAD_REQUEST");
  });
});

describe("me", () => {
  it("shows tier and quota_remaining", async () => {
    const user = await newUser();
    const res = await call("GET", "/api/v1/auth/me", { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: user.id,
      email: user.email,
      username: user.username,
      subscription_tier: "free",
      quota_remaining: 100,
      created_at: expect.any(String),
    });
  });
});

describe("access token validation", () => {
  it("refuses alg none, a wrong key, HS512, wrong iss/aud, expiry, missing exp, unknown kid", async () => {
    const user = await newUser();
    const sid = sessionOf(user.token);
    const kid = await kidOf(env.JWT_SECRET);
    const now = Math.floor(Date.now() / 1000);
    const base = { sub: String(user.id), sid, typ: "access" };
    const build = (opts: {
      key?: Uint8Array;
      alg?: string;
      iss?: string;
      aud?: string;
      exp?: number | null;
      kid?: string;
    }) => {
      const jwt = new SignJWT(base)
        .setProtectedHeader({ alg: opts.alg ?? "HS256", kid: opts.kid ?? kid })
        .setIssuer(opts.iss ?? env.JWT_ISSUER)
        .setAudience(opts.aud ?? env.JWT_AUDIENCE)
        .setIssuedAt(now - 10);
      if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now + 600);
      return jwt.sign(opts.key ?? secret);
    };
    const forged = [
      `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ ...base, iss: env.JWT_ISSUER, aud: env.JWT_AUDIENCE, exp: now + 600, iat: now })}.`,
      await build({ key: new TextEncoder().encode("another-secret-0123456789abcdef0123456789") }),
      await build({ alg: "HS512" }),
      await build({ iss: "someone-else" }),
      await build({ aud: "another-api" }),
      await build({ exp: now - 60 }),
      await build({ exp: null }),
      await build({ kid: "../../etc/passwd" }),
      `${user.token.slice(0, -4)}AAAA`,
      user.refreshToken,
    ];
    // Sanity: the same builder with correct parameters is accepted, so each refusal is meaningful.
    expect((await call("GET", "/api/v1/auth/me", { token: await build({}) })).status).toBe(200);
    for (const token of forged) {
      const res = await call("GET", "/api/v1/auth/me", { token });
      expectStudioError(res, 401, "UNAUTHORIZED");
    }
  });

  it("refuses a missing or malformed Authorization header", async () => {
    expectStudioError(await call("GET", "/api/v1/auth/me"), 401, "UNAUTHORIZED");
    const res = await call("GET", "/api/v1/auth/me", { headers: { Authorization: "Basic abc" } });
    expectStudioError(res, 401, "UNAUTHORIZED");
  });
});

describe("refresh tokens", () => {
  it("rotates: the new pair works and the old refresh token does not", async () => {
    const user = await newUser();
    const res = await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: user.refreshToken } });
    expect(res.status).toBe(200);
    expect(res.body.refresh_token).not.toBe(user.refreshToken);
    expect((await call("GET", "/api/v1/auth/me", { token: res.body.access_token })).status).toBe(200);
    const again = await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: user.refreshToken } });
    expectStudioError(again, 401, "UNAUTHORIZED");
  });

  it("10 parallel refreshes of one token: exactly one succeeds and the session survives", async () => {
    const user = await newUser();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        call("POST", "/api/v1/auth/refresh", { json: { refresh_token: user.refreshToken } }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    expect(results.filter((r) => r.status === 401)).toHaveLength(9);
    // Losers inside the grace window do not kill the winner's session.
    const next = await call("POST", "/api/v1/auth/refresh", {
      json: { refresh_token: ok[0]?.body.refresh_token },
    });
    expect(next.status).toBe(200);
    const live = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = ? AND used_at IS NULL",
    )
      .bind(user.id)
      .first("n");
    expect(live).toBe(1);
  });

  it("reuse after the grace window revokes the whole family, access tokens included", async () => {
    const user = await newUser();
    const rotated = await call("POST", "/api/v1/auth/refresh", {
      json: { refresh_token: user.refreshToken },
    });
    expect(rotated.status).toBe(200);
    // Move the rotation into the past, beyond the grace window.
    await env.DB.prepare(
      "UPDATE refresh_tokens SET used_at = used_at - 60000 WHERE user_id = ? AND used_at IS NOT NULL",
    )
      .bind(user.id)
      .run();
    const reuse = await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: user.refreshToken } });
    const err = expectStudioError(reuse, 401, "UNAUTHORIZED");
    expect(err.detail).toMatch(/reuse/i);
    const successor = await call("POST", "/api/v1/auth/refresh", {
      json: { refresh_token: rotated.body.refresh_token },
    });
    expectStudioError(successor, 401, "UNAUTHORIZED");
    expectStudioError(
      await call("GET", "/api/v1/auth/me", { token: rotated.body.access_token }),
      401,
      "UNAUTHORIZED",
    );
    expectStudioError(await call("GET", "/api/v1/auth/me", { token: user.token }), 401, "UNAUTHORIZED");
  });

  it("refuses unknown and malformed refresh tokens", async () => {
    expectStudioError(
      await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: "rt_nope" } }),
      401,
      "UNAUTHORIZED",
    );
    expectStudioError(
      await call("POST", "/api/v1/auth/refresh", { json: { refresh_token: "eyJ.x.y" } }),
      401,
      "UNAUTHORIZED",
    );
    expectStudioError(await call("POST", "/api/v1/auth/refresh", { json: {} }), 422, "VALIDATION_ERROR");
  });
});

describe("logout", () => {
  it("ends the session: access and refresh tokens stop working at once", async () => {
    const user = await newUser();
    const res = await call("POST", "/api/v1/auth/logout", { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ message: "Logged out successfully" });
    expectStudioError(await call("GET", "/api/v1/auth/me", { token: user.token }), 401, "UNAUTHORIZED");
    const refresh = await call("POST", "/api/v1/auth/refresh", {
      json: { refresh_token: user.refreshToken },
    });
    expectStudioError(refresh, 401, "UNAUTHORIZED");
  });

  it("only ends its own session", async () => {
    const user = await newUser();
    const second = await call("POST", "/api/v1/auth/login", {
      json: { email: user.email, password: user.password },
    });
    await call("POST", "/api/v1/auth/logout", { token: user.token });
    expect((await call("GET", "/api/v1/auth/me", { token: second.body.access_token })).status).toBe(200);
  });
});

describe("API keys", () => {
  it("creates (shown once), authenticates, lists without the secret, and revokes", async () => {
    const user = await newUser();
    const created = await call("POST", "/api/v1/auth/api-keys", {
      token: user.token,
      json: { name: "n8n", scopes: ["studio", "automation"] },
    });
    expect(created.status).toBe(200);
    expect(created.body.key).toMatch(/^sds_/);
    expect(created.body.scopes).toEqual(["studio", "automation"]);
    const key = created.body.key as string;

    const me = await call("GET", "/api/v1/auth/me", { token: key });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(user.id);

    const list = await call("GET", "/api/v1/auth/api-keys", { token: user.token });
    expect(list.body.total).toBe(1);
    expect(list.text).not.toContain(key);
    expect(list.body.items[0]).toMatchObject({ id: created.body.id, name: "n8n", prefix: key.slice(0, 12) });

    const stored = await env.DB.prepare("SELECT key_hash FROM api_keys WHERE id = ?")
      .bind(created.body.id)
      .first("key_hash");
    expect(stored).not.toContain(key);

    const revoke = await call("DELETE", `/api/v1/auth/api-keys/${created.body.id}`, { token: user.token });
    expect(revoke.status).toBe(200);
    expectStudioError(await call("GET", "/api/v1/auth/me", { token: key }), 401, "UNAUTHORIZED");
  });

  it("a key without the studio scope cannot use the studio API, and keys cannot mint keys", async () => {
    const user = await newUser();
    const workerKey = await call("POST", "/api/v1/auth/api-keys", {
      token: user.token,
      json: { name: "worker", scopes: ["worker"] },
    });
    expectStudioError(await call("GET", "/api/v1/projects", { token: workerKey.body.key }), 403, "FORBIDDEN");
    const studioKey = await call("POST", "/api/v1/auth/api-keys", {
      token: user.token,
      json: { name: "app" },
    });
    expect(studioKey.body.scopes).toEqual(["studio"]);
    const mint = await call("POST", "/api/v1/auth/api-keys", {
      token: studioKey.body.key,
      json: { name: "escalate", scopes: ["worker"] },
    });
    expectStudioError(mint, 403, "FORBIDDEN");
  });

  it("another user's key id is 404, and unknown scopes are 422", async () => {
    const a = await newUser();
    const b = await newUser();
    const created = await call("POST", "/api/v1/auth/api-keys", { token: a.token, json: { name: "mine" } });
    expectStudioError(
      await call("DELETE", `/api/v1/auth/api-keys/${created.body.id}`, { token: b.token }),
      404,
      "NOT_FOUND",
    );
    expect((await call("GET", "/api/v1/auth/me", { token: created.body.key })).status).toBe(200);
    const bad = await call("POST", "/api/v1/auth/api-keys", {
      token: a.token,
      json: { name: "x", scopes: ["admin"] },
    });
    expectStudioError(bad, 422, "VALIDATION_ERROR");
  });

  it("an expired key is refused", async () => {
    const user = await newUser();
    const created = await call("POST", "/api/v1/auth/api-keys", {
      token: user.token,
      json: { name: "short", expires_in_days: 1 },
    });
    await env.DB.prepare("UPDATE api_keys SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, created.body.id)
      .run();
    expectStudioError(await call("GET", "/api/v1/auth/me", { token: created.body.key }), 401, "UNAUTHORIZED");
  });
});

describe("unknown ip header", () => {
  it("works without CF-Connecting-IP", async () => {
    const res = await call("GET", "/health", { ip: uniqueIp() });
    expect(res.status).toBe(200);
  });
});
