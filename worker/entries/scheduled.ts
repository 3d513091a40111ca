import { resumeCollections } from "../core/billing/collection";
import { issueDueInvoices } from "../core/billing/issue-invoices";
import { snapshotStorage } from "../core/billing/storage";
import { rollQuotaPeriods } from "../core/billing/subscriptions";
import { type AppContext, createContext } from "../core/context";
import { failStalledExports } from "../core/exports/watchdog";
import { purgeIdempotencyKeys } from "../core/idempotency";
import { sweepOutbox } from "../core/outbox";
import { rewrapCredentials } from "../core/platform-accounts/accounts";
import { pokeWorkflows } from "../core/workflows/run-stub";
import { purgeStripeEvents } from "../db/queries/payments";
import { expireLeases } from "../db/queries/task-leases";
import { rollupProjectStatement } from "../db/queries/tasks";
import { deleteExpiredUploadTokens } from "../db/queries/upload-tokens";

/**
 * Cron housekeeping only: anything a user would notice is evaluated lazily where it is
 * read (an expired lease is already claimable and reads as pending), so correctness never waits
 * for this. It tidies the stored state and re-sends what never left.
 */
export async function runScheduled(env: Env, now: number) {
  const ctx = createContext(env, { now });
  const { db } = ctx;
  const leasesExpired = await isolated("expired leases", () => expireLeasesAndRollUp(ctx));
  await isolated("idempotency keys", () => purgeIdempotencyKeys(ctx));
  const outboxResent = await isolated("outbox", () => sweepOutbox(ctx));
  const rewrapped = await isolated("credential keys", () => rewrapCredentials(ctx));
  const exportsFailed = await isolated("stalled exports", () => failStalledExports(ctx));
  const quotaPeriodsRolled = await isolated("quota periods", () => rollQuotaPeriods(ctx));
  const storageSnapshots = await isolated("storage snapshots", () => snapshotStorage(ctx));
  const invoicesIssued = await isolated("invoices", () => issueDueInvoices(ctx));
  const collectionsResumed = await isolated("stripe collections", () => resumeCollections(ctx));
  // Stripe retries a delivery for up to three days; event ids are kept well beyond that.
  await isolated("stripe event ids", () => purgeStripeEvents(db, now - 30 * 86_400_000));
  await isolated("upload tokens", () => deleteExpiredUploadTokens(db, now));
  return {
    leasesExpired,
    outboxResent,
    rewrapped,
    exportsFailed,
    quotaPeriodsRolled,
    storageSnapshots,
    invoicesIssued,
    collectionsResumed,
  };
}

/** Expired leases back to pending (or failed after their attempts), with their projects rolled up. */
async function expireLeasesAndRollUp({ env, db, now, config }: AppContext) {
  const expired = await expireLeases(db, now, config.tasks.maxAttempts);
  const projects = [...new Set(expired.map((t) => t.project_id))];
  if (projects.length > 0) {
    await db.batch(
      projects.map((id) => rollupProjectStatement(db, { id }, now)) as [
        ReturnType<typeof rollupProjectStatement>,
      ],
    );
  }
  await pokeWorkflows(
    env,
    expired.map((t) => t.workflow_id),
  );
  return expired.length;
}

/** One housekeeping step; its failure is logged and does not keep the others from running. */
async function isolated<T>(name: string, fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    console.error(JSON.stringify({ level: "error", msg: "cron step failed", step: name, err: String(err) }));
    return null;
  }
}
