import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import type { AccountQuota } from "../../durable-objects/account-quota/account-quota";
import { quotaDay } from "../../durable-objects/account-quota/day";
import { PLATFORM_IDS } from "../../worker/providers";
import { data, newTenant } from "../helpers/automation";
import { call } from "../helpers/http";

const canary = () => `CANARY_${crypto.randomUUID().replace(/-/g, "")}`;

async function account(
  t: Awaited<ReturnType<typeof newTenant>>,
  secret: string,
  extra: Record<string, unknown> = {},
) {
  return data(
    await call("POST", "/api/platform-accounts", {
      token: t.operator,
      json: {
        platform: "dreamina",
        name: "dreamina_account_1",
        credentials: { api_key: secret, secret },
        daily_limit: 5,
        ...extra,
      },
    }),
  );
}

describe("platform accounts", () => {
  it("creates as the API documents it, with credentials masked and encrypted at rest", async () => {
    const t = await newTenant();
    const secret = canary();
    const created = await account(t, secret, { daily_limit: 100 });
    expect(created).toEqual({
      id: expect.any(Number),
      platform: "dreamina",
      name: "dreamina_account_1",
      credentials: { api_key: "***masked***", secret: "***masked***" },
      status: "active",
      daily_limit: 100,
      used_today: 0,
      last_used_at: null,
      is_available: true,
      remaining_quota: 100,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const row = await env.DB.prepare("SELECT * FROM platform_accounts WHERE id = ?").bind(created.id).first();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(String(row?.credentials_iv)).toHaveLength(16); // 12 bytes, base64url
    expect(row?.credentials_key_version).toBe("v1");
  });

  it("20 parallel leases against daily_limit 5: exactly 5 succeed; the canary appears only in leases", async () => {
    const logged: string[] = [];
    const spies = (["log", "info", "warn", "error", "debug"] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        logged.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      }),
    );
    const t = await newTenant();
    const secret = canary();
    const created = await account(t, secret);
    const leases = await Promise.all(
      Array.from({ length: 20 }, () =>
        call("POST", `/api/platform-accounts/${created.id}/lease`, { token: t.worker }),
      ),
    );
    const granted = leases.filter((r) => r.body.code === 0);
    const refused = leases.filter((r) => r.body.code === 429);
    expect(granted).toHaveLength(5);
    expect(refused).toHaveLength(15);
    for (const r of granted) expect(r.body.data.credentials).toEqual({ api_key: secret, secret });
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.body.msg).toBe(`Daily limit of 5 reached for platform account ${created.id}`);
      expect(Number(r.headers.get("Retry-After"))).toBeGreaterThan(0);
      expect(r.text).not.toContain(secret);
    }
    const shown = data(await call("GET", `/api/platform-accounts/${created.id}`, { token: t.operator }));
    expect(shown).toMatchObject({ used_today: 5, remaining_quota: 0, is_available: false });
    // Nothing but a lease ever shows the secret.
    const everywhere = [
      await call("GET", `/api/platform-accounts/${created.id}`, { token: t.operator }),
      await call("GET", "/api/platform-accounts", { token: t.operator }),
      await call("GET", "/api/platform-accounts/available/dreamina", { token: t.operator }),
      await call("PUT", `/api/platform-accounts/${created.id}`, {
        token: t.operator,
        json: { name: "renamed" },
      }),
      await call("POST", `/api/platform-accounts/${created.id}/reset-usage`, {
        token: t.operator,
        json: { used_today: 0 },
      }),
      await call("GET", "/api/platform-accounts/platforms/list", { token: t.operator }),
    ];
    for (const res of everywhere) {
      expect(res.status).toBe(200);
      expect(res.text).not.toContain(secret);
    }
    // Nor does any log line, refusals included.
    for (const spy of spies) spy.mockRestore();
    expect(logged.join("\n")).not.toContain(secret);
  });

  it("only a worker credential may lease; operators see masked credentials only", async () => {
    const t = await newTenant();
    const created = await account(t, canary());
    const res = await call("POST", `/api/platform-accounts/${created.id}/lease`, { token: t.operator });
    expect(res.body).toEqual({
      code: 403,
      msg: "This credential lacks the required scope: worker",
      data: null,
    });
  });

  it("claims with platform lease an account and consume its quota atomically", async () => {
    const t = await newTenant();
    const secret = canary();
    const acct = await account(t, secret, { daily_limit: 2 });
    await call("POST", "/projects", {
      token: t.operator,
      json: {
        name: "p",
        project_type: "x",
        tasks: [{ task_type: "img" }, { task_type: "img" }, { task_type: "img" }],
      },
    });
    const first = data(
      await call("POST", "/api/tasks/claim", {
        token: t.worker,
        json: { task_types: ["img"], platform: "dreamina" },
      }),
    );
    expect(first.platform_account).toMatchObject({
      id: acct.id,
      credentials: { api_key: secret },
      used_today: 1,
      remaining_quota: 1,
    });
    expect(first.platform_account_id).toBe(acct.id);
    data(
      await call("POST", "/api/tasks/claim", {
        token: t.worker,
        json: { task_types: ["img"], platform: "dreamina" },
      }),
    );
    const none = await call("POST", "/api/tasks/claim", {
      token: t.worker,
      json: { task_types: ["img"], platform: "dreamina" },
    });
    expect(none.body).toEqual({ code: 1, msg: "No dreamina account has quota left today.", data: null });
    // A claim that finds no task gives the reserved unit back.
    data(
      await call("POST", `/api/platform-accounts/${acct.id}/reset-usage`, {
        token: t.operator,
        json: { used_today: 1 },
      }),
    );
    const noTask = await call("POST", "/api/tasks/claim", {
      token: t.worker,
      json: { task_types: ["nothing"], platform: "dreamina" },
    });
    expect(noTask.body.code).toBe(1);
    expect(
      data(await call("GET", `/api/platform-accounts/${acct.id}`, { token: t.operator })).used_today,
    ).toBe(1);
  });

  it("resets at midnight in the configured time zone, and reset-usage sets today's count", async () => {
    const stub = env.ACCOUNT_QUOTA.get(env.ACCOUNT_QUOTA.idFromName(`test:${crypto.randomUUID()}`));
    const beforeMidnight = Date.UTC(2026, 10, 21, 23, 59, 0);
    for (let i = 0; i < 3; i++) {
      const r = await stub.reserve({
        limit: 3,
        reservationId: `r${i}`,
        now: beforeMidnight,
        timeZone: "UTC",
      });
      expect(r.granted).toBe(true);
    }
    expect(
      (await stub.reserve({ limit: 3, reservationId: "r3", now: beforeMidnight, timeZone: "UTC" })).granted,
    ).toBe(false);
    const next = await stub.reserve({
      limit: 3,
      reservationId: "r4",
      now: beforeMidnight + 120_000,
      timeZone: "UTC",
    });
    expect(next).toMatchObject({ granted: true, usedToday: 1, day: "2026-11-22" });
    // Shanghai's midnight came eight hours earlier.
    expect(quotaDay(Date.UTC(2026, 10, 21, 16, 30), "Asia/Shanghai")).toEqual({
      day: "2026-11-22",
      secondsToMidnight: 84_600,
    });
    // A retried reserve is one reservation; a release is returned once.
    expect(
      (await stub.reserve({ limit: 3, reservationId: "r4", now: beforeMidnight + 120_000 })).usedToday,
    ).toBe(1);
    expect(await stub.release({ reservationId: "r4" })).toEqual({ released: true });
    expect(await stub.release({ reservationId: "r4" })).toEqual({ released: false });
    const state = await runInDurableObject(
      stub,
      (_i: AccountQuota, s) =>
        s.storage.sql.exec<{ used: number }>("SELECT used FROM usage WHERE day = '2026-11-22'").one().used,
    );
    expect(state).toBe(0);
  });

  it("a ciphertext pasted into another account does not decrypt (AAD); a safe error, no secret", async () => {
    const t = await newTenant();
    const a = await account(t, canary());
    const b = await account(t, canary());
    await env.DB.prepare(
      `UPDATE platform_accounts SET credentials_ciphertext = (SELECT credentials_ciphertext FROM platform_accounts WHERE id = ?1),
        credentials_iv = (SELECT credentials_iv FROM platform_accounts WHERE id = ?1) WHERE id = ?2`,
    )
      .bind(a.id, b.id)
      .run();
    const res = await call("POST", `/api/platform-accounts/${b.id}/lease`, { token: t.worker });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ code: 500, msg: "The credentials of this account are unavailable" });
    // The unit reserved for the failed lease was given back.
    expect(data(await call("GET", `/api/platform-accounts/${b.id}`, { token: t.operator })).used_today).toBe(
      0,
    );
  });

  it("deleting wipes the ciphertext; updating credentials re-encrypts them", async () => {
    const t = await newTenant();
    const first = canary();
    const second = canary();
    const acct = await account(t, first);
    data(
      await call("PUT", `/api/platform-accounts/${acct.id}`, {
        token: t.operator,
        json: { credentials: { api_key: second } },
      }),
    );
    const lease = data(await call("POST", `/api/platform-accounts/${acct.id}/lease`, { token: t.worker }));
    expect(lease.credentials).toEqual({ api_key: second });
    data(await call("DELETE", `/api/platform-accounts/${acct.id}`, { token: t.operator }));
    const row = await env.DB.prepare("SELECT credentials_ciphertext FROM platform_accounts WHERE id = ?")
      .bind(acct.id)
      .first();
    expect(row?.credentials_ciphertext).toBe("");
    expect((await call("GET", `/api/platform-accounts/${acct.id}`, { token: t.operator })).body.code).toBe(
      404,
    );
  });

  it("lists available accounts per platform and the platform list", async () => {
    const t = await newTenant();
    const a = await account(t, canary(), { daily_limit: 1 });
    await account(t, canary(), { name: "off", status: "inactive" });
    await call("POST", "/api/platform-accounts", {
      token: t.operator,
      json: { platform: "runway", name: "r", credentials: { k: "v" } },
    });
    expect(
      data(await call("GET", "/api/platform-accounts/available/dreamina", { token: t.worker })).map(
        (x: any) => x.id,
      ),
    ).toEqual([a.id]);
    data(await call("POST", `/api/platform-accounts/${a.id}/lease`, { token: t.worker }));
    expect(data(await call("GET", "/api/platform-accounts/available/dreamina", { token: t.worker }))).toEqual(
      [],
    );
    // The seed's shape (a list of names): its three first, then the provider registry's platforms.
    const names = data(await call("GET", "/api/platform-accounts/platforms/list", { token: t.worker }));
    expect(names.slice(0, 3)).toEqual(["dreamina", "midjourney", "runway"]);
    expect(names).toEqual([...PLATFORM_IDS]);
    const filtered = data(
      await call("GET", "/api/platform-accounts?platform=dreamina&status=inactive", { token: t.operator }),
    );
    expect(filtered.map((x: any) => x.name)).toEqual(["off"]);
  });

  it("re-wraps credentials under a new key and still decrypts the old version meanwhile", async () => {
    const { rewrapCredentials } = await import("../../worker/core/platform-accounts/accounts");
    const { createContext } = await import("../../worker/core/context");
    const t = await newTenant();
    const secret = canary();
    const acct = await account(t, secret);
    const rotated = {
      ...env,
      CREDENTIALS_KEYS: `v2:${btoa(String.fromCharCode(...new Uint8Array(32).fill(7)))},${env.CREDENTIALS_KEYS}`,
    };
    const done = await rewrapCredentials(createContext(rotated), 500);
    expect(done).toBeGreaterThanOrEqual(1);
    const row = await env.DB.prepare("SELECT credentials_key_version FROM platform_accounts WHERE id = ?")
      .bind(acct.id)
      .first();
    expect(row?.credentials_key_version).toBe("v2");
  });
});
