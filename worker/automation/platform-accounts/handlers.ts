import * as accounts from "../../core/platform-accounts/accounts";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { PLATFORM_IDS } from "../../platform/platform-ids";
import { iso } from "../../platform/time";
import { ok } from "../envelope";
import * as routes from "./routes";

/** An account as responses show it: credentials only ever masked. */
function accountOut(v: accounts.AccountView) {
  const r = v.row;
  return {
    id: r.id,
    platform: r.platform,
    name: r.name,
    credentials: r.credentialsMasked,
    status: r.status,
    daily_limit: r.dailyLimit,
    used_today: v.quota.usedToday,
    last_used_at: iso(r.lastUsedAt),
    is_available: accounts.isAvailable(v),
    remaining_quota: v.quota.remaining,
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export const platformAccountsRouter = createRouter()
  .openapi(routes.createAccount, async (c) => {
    return ok(
      c,
      accountOut(await accounts.createAccount(contextOf(c), principalOf(c).userId, c.req.valid("json"))),
    );
  })
  .openapi(routes.listAccounts, async (c) => {
    return ok(
      c,
      (await accounts.listAccounts(contextOf(c), principalOf(c).userId, c.req.valid("query"))).map(
        accountOut,
      ),
    );
  })
  .openapi(routes.availableAccounts, async (c) => {
    const views = await accounts.availableAccounts(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").platform,
    );
    return ok(c, views.map(accountOut));
  })
  .openapi(routes.platformsList, (c) => ok(c, [...PLATFORM_IDS]))
  .openapi(routes.getAccount, async (c) => {
    return ok(
      c,
      accountOut(
        await accounts.getAccount(contextOf(c), principalOf(c).userId, c.req.valid("param").account_id),
      ),
    );
  })
  .openapi(routes.updateAccount, async (c) => {
    const view = await accounts.updateAccount(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").account_id,
      c.req.valid("json"),
    );
    return ok(c, accountOut(view));
  })
  .openapi(routes.deleteAccount, async (c) => {
    await accounts.deleteAccount(contextOf(c), principalOf(c).userId, c.req.valid("param").account_id);
    return ok(c, { message: "Platform account deleted successfully" });
  })
  .openapi(routes.resetUsage, async (c) => {
    const body = c.req.valid("json") ?? { used_today: 0 };
    const view = await accounts.resetUsage(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").account_id,
      body.used_today ?? 0,
    );
    return ok(c, accountOut(view));
  })
  .openapi(routes.leaseAccount, async (c) => {
    const lease = await accounts.leaseAccount(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").account_id,
    );
    return ok(c, {
      ...accountOut(lease.view),
      credentials: lease.credentials,
      resets_in_seconds: lease.view.quota.resetsInSeconds,
    });
  });
