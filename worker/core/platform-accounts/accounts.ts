import { randomToken } from "../../../contracts/crypto";
import { AccountQuotaClient } from "../../../durable-objects/account-quota/client";
import type { QuotaStatus } from "../../../durable-objects/account-quota/interface";
import {
  deletePlatformAccountRow,
  findAccountsToRewrap,
  findPlatformAccount,
  insertPlatformAccount,
  listActiveAccounts,
  listPlatformAccounts,
  type PlatformAccountRow,
  softDeletePlatformAccount,
  updatePlatformAccount,
} from "../../db/queries/platform-accounts";
import { AppError, badRequest, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import {
  credentialsAad,
  currentKeyVersion,
  maskCredentials,
  openCredentials,
  sealCredentials,
} from "./credentials";

export function quotaClient(ctx: AppContext): AccountQuotaClient {
  return new AccountQuotaClient(ctx.env.ACCOUNT_QUOTA, ctx.config.quotaTimeZone);
}

export interface AccountView {
  row: PlatformAccountRow;
  quota: QuotaStatus;
}

async function withQuota(ctx: AppContext, rows: PlatformAccountRow[]): Promise<AccountView[]> {
  const client = quotaClient(ctx);
  return Promise.all(
    rows.map(async (row) => ({ row, quota: await client.status(row.id, row.dailyLimit, ctx.now) })),
  );
}

export function isAvailable(view: AccountView): boolean {
  return view.row.status === "active" && view.quota.remaining > 0;
}

async function seal(
  ctx: AppContext,
  row: { id: number; ownerId: number },
  credentials: Record<string, unknown>,
) {
  const sealed = await sealCredentials(
    ctx.env.CREDENTIALS_KEYS,
    credentials,
    credentialsAad(row.ownerId, row.id),
  );
  return {
    credentialsCiphertext: sealed.ciphertext,
    credentialsIv: sealed.iv,
    credentialsKeyVersion: sealed.keyVersion,
    credentialsMasked: maskCredentials(credentials),
  };
}

export async function createAccount(
  ctx: AppContext,
  ownerId: number,
  input: {
    platform: string;
    name: string;
    credentials: Record<string, unknown>;
    status: string;
    daily_limit: number;
  },
): Promise<AccountView> {
  const row = await insertPlatformAccount(
    ctx.db,
    ownerId,
    {
      platform: input.platform,
      name: input.name,
      status: input.status,
      dailyLimit: input.daily_limit,
      credentialsMasked: maskCredentials(input.credentials),
    },
    ctx.now,
  );
  try {
    const sealed = await updatePlatformAccount(
      ctx.db,
      ownerId,
      row.id,
      await seal(ctx, row, input.credentials),
      ctx.now,
    );
    if (!sealed) throw new Error("sealed account vanished");
    return (await withQuota(ctx, [sealed]))[0] as AccountView;
  } catch (err) {
    // Never leave an account without credentials behind.
    await deletePlatformAccountRow(ctx.db, row.id);
    throw err;
  }
}

export async function getAccount(ctx: AppContext, ownerId: number, id: number): Promise<AccountView> {
  const row = await findPlatformAccount(ctx.db, ownerId, id);
  if (!row) throw notFound("Platform account");
  return (await withQuota(ctx, [row]))[0] as AccountView;
}

export async function listAccounts(
  ctx: AppContext,
  ownerId: number,
  q: { skip: number; limit: number; platform?: string | undefined; status?: string | undefined },
) {
  return withQuota(ctx, await listPlatformAccounts(ctx.db, ownerId, q));
}

export async function availableAccounts(ctx: AppContext, ownerId: number, platform: string) {
  return (await withQuota(ctx, await listActiveAccounts(ctx.db, ownerId, platform))).filter(isAvailable);
}

export async function updateAccount(
  ctx: AppContext,
  ownerId: number,
  id: number,
  input: Partial<{
    platform: string;
    name: string;
    credentials: Record<string, unknown>;
    status: string;
    daily_limit: number;
  }>,
): Promise<AccountView> {
  const existing = await findPlatformAccount(ctx.db, ownerId, id);
  if (!existing) throw notFound("Platform account");
  const row = await updatePlatformAccount(
    ctx.db,
    ownerId,
    id,
    {
      ...(input.platform !== undefined ? { platform: input.platform } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.daily_limit !== undefined ? { dailyLimit: input.daily_limit } : {}),
      ...(input.credentials !== undefined ? await seal(ctx, existing, input.credentials) : {}),
    },
    ctx.now,
  );
  if (!row) throw notFound("Platform account");
  return (await withQuota(ctx, [row]))[0] as AccountView;
}

export async function deleteAccount(ctx: AppContext, ownerId: number, id: number) {
  if (!(await softDeletePlatformAccount(ctx.db, ownerId, id, ctx.now))) throw notFound("Platform account");
}

export async function resetUsage(ctx: AppContext, ownerId: number, id: number, usedToday: number) {
  const row = await findPlatformAccount(ctx.db, ownerId, id);
  if (!row) throw notFound("Platform account");
  const quota = await quotaClient(ctx).setUsage(row.id, row.dailyLimit, usedToday, ctx.now);
  return { row, quota };
}

export interface Lease {
  view: AccountView;
  credentials: Record<string, unknown>;
  reservationId: string;
}

/**
 * Consumes one unit of an account's daily quota and hands out its decrypted credentials — the only
 * way credentials ever leave the database. At zero it fails cleanly with 429 until the day turns.
 */
export async function leaseAccount(ctx: AppContext, ownerId: number, id: number): Promise<Lease> {
  const row = await findPlatformAccount(ctx.db, ownerId, id);
  if (!row) throw notFound("Platform account");
  if (row.status !== "active") throw badRequest(`Platform account ${id} is ${row.status}`);
  const lease = await reserveAccount(ctx, row);
  if (!lease) {
    const quota = await quotaClient(ctx).status(row.id, row.dailyLimit, ctx.now);
    throw new AppError(
      "RATE_LIMIT_EXCEEDED",
      `Daily limit of ${row.dailyLimit} reached for platform account ${id}`,
      {
        retryAfter: quota.resetsInSeconds,
      },
    );
  }
  return lease;
}

/** Reserves a unit of one account and opens its credentials; undefined when its quota is spent. */
async function reserveAccount(ctx: AppContext, row: PlatformAccountRow): Promise<Lease | undefined> {
  const client = quotaClient(ctx);
  const reservationId = `lease:${randomToken(12)}`;
  const reservation = await client.reserve(row.id, row.dailyLimit, reservationId, ctx.now);
  if (!reservation.granted) return undefined;
  try {
    const credentials = await openCredentials(
      ctx.env.CREDENTIALS_KEYS,
      { ciphertext: row.credentialsCiphertext, iv: row.credentialsIv, keyVersion: row.credentialsKeyVersion },
      credentialsAad(row.ownerId, row.id),
    );
    const touched = await updatePlatformAccount(
      ctx.db,
      row.ownerId,
      row.id,
      { lastUsedAt: ctx.now },
      ctx.now,
    );
    return {
      view: { row: touched ?? row, quota: reservation },
      credentials,
      reservationId,
    };
  } catch (err) {
    await client.release(row.id, reservationId);
    throw err;
  }
}

/** For a claim with `platform`: the least recently used active account that still has quota. */
export async function reserveAnyAccount(ctx: AppContext, ownerId: number, platform: string) {
  for (const row of await listActiveAccounts(ctx.db, ownerId, platform)) {
    const lease = await reserveAccount(ctx, row);
    if (lease) return lease;
  }
  return undefined;
}

export async function releaseLease(ctx: AppContext, lease: Lease): Promise<void> {
  await quotaClient(ctx).release(lease.view.row.id, lease.reservationId);
}

/**
 * Re-seals credentials stored under an older key version with the current key (cron), so a
 * retired key can be removed from CREDENTIALS_KEYS once this has run.
 */
export async function rewrapCredentials(ctx: AppContext, limit = 50): Promise<number> {
  const current = await currentKeyVersion(ctx.env.CREDENTIALS_KEYS);
  let done = 0;
  for (const row of await findAccountsToRewrap(ctx.db, current, limit)) {
    const aad = credentialsAad(row.ownerId, row.id);
    const credentials = await openCredentials(
      ctx.env.CREDENTIALS_KEYS,
      { ciphertext: row.credentialsCiphertext, iv: row.credentialsIv, keyVersion: row.credentialsKeyVersion },
      aad,
    ).catch(() => undefined);
    if (!credentials) continue;
    await updatePlatformAccount(ctx.db, row.ownerId, row.id, await seal(ctx, row, credentials), ctx.now);
    done++;
  }
  return done;
}
