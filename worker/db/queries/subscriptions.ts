import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import type { Database } from "../client";
import { rawAll } from "../raw";
import { subscriptions } from "../schema";

export type SubscriptionRow = typeof subscriptions.$inferSelect;

export async function findSubscription(db: Database, userId: number) {
  return db.query.subscriptions.findFirst({ where: eq(subscriptions.userId, userId) });
}

/** The plan and period columns a state change may write (credits used are only reset). */
export type SubscriptionState = Pick<
  SubscriptionRow,
  | "tier"
  | "status"
  | "billingCycle"
  | "quotaTotal"
  | "currentPeriodStart"
  | "currentPeriodEnd"
  | "billingPeriodStart"
  | "billingPeriodEnd"
  | "pastDueAt"
  | "restoreTier"
  | "restoreCycle"
  | "downgradedAt"
>;

/**
 * Writes a subscription's next state, for a D1 batch, only if its plan and periods are still those
 * it was read with (credits used change under it all the time and are not compared): an upgrade,
 * a roll-over or a dunning step racing another matches no row, which the caller's guard turns into
 * an abort. `resetQuotaUsed` starts a new quota month; `quotaAtLeast` raises this month's credits
 * without lowering them.
 */
export function subscriptionStateStatement(
  db: Database,
  read: SubscriptionRow,
  next: SubscriptionState,
  opts: { resetQuotaUsed: boolean; quotaAtLeast: boolean },
  now: number,
) {
  const quotaTotal: number | SQL = opts.quotaAtLeast
    ? sql`MAX(${subscriptions.quotaTotal}, ${next.quotaTotal})`
    : next.quotaTotal;
  return db
    .update(subscriptions)
    .set({
      // Named one by one: a caller passing a whole row must never write back credits used.
      tier: next.tier,
      status: next.status,
      billingCycle: next.billingCycle,
      currentPeriodStart: next.currentPeriodStart,
      currentPeriodEnd: next.currentPeriodEnd,
      billingPeriodStart: next.billingPeriodStart,
      billingPeriodEnd: next.billingPeriodEnd,
      pastDueAt: next.pastDueAt,
      restoreTier: next.restoreTier,
      restoreCycle: next.restoreCycle,
      downgradedAt: next.downgradedAt,
      quotaTotal,
      ...(opts.resetQuotaUsed ? { quotaUsed: 0 } : {}),
      updatedAt: now,
    })
    .where(
      and(
        eq(subscriptions.id, read.id),
        eq(subscriptions.tier, read.tier),
        eq(subscriptions.status, read.status),
        eq(subscriptions.billingCycle, read.billingCycle),
        eq(subscriptions.billingPeriodStart, read.billingPeriodStart),
        eq(subscriptions.currentPeriodEnd, read.currentPeriodEnd),
        read.pastDueAt === null
          ? isNull(subscriptions.pastDueAt)
          : eq(subscriptions.pastDueAt, read.pastDueAt),
      ),
    );
}

/** Subscriptions whose quota month ended, for the cron's roll-over. */
export async function subscriptionsDueForRollover(db: Database, now: number, limit: number) {
  return db
    .select({ userId: subscriptions.userId })
    .from(subscriptions)
    .where(sql`${subscriptions.currentPeriodEnd} <= ${now}`)
    .orderBy(subscriptions.currentPeriodEnd)
    .limit(limit);
}

/** Subscriptions whose billing period ended, for the cron's invoicing. */
export async function subscriptionsDueForInvoice(db: Database, now: number, limit: number) {
  return db
    .select({ userId: subscriptions.userId })
    .from(subscriptions)
    .where(sql`${subscriptions.billingPeriodEnd} <= ${now}`)
    .orderBy(subscriptions.billingPeriodEnd)
    .limit(limit);
}

/**
 * Subscriptions whose standing no longer matches their invoices — active with an invoice unpaid
 * past its due date, or past due with nothing past due any more — for the cron. Both halves are
 * driven by an index (unpaid invoices by due date; subscriptions by status), not a table scan.
 */
export async function subscriptionsWithStaleStanding(db: Database, now: number, limit: number) {
  const [turning, recovered] = await db.batch([
    rawAll<{ userId: number }>(
      db,
      sql`SELECT DISTINCT s.user_id AS userId FROM invoices i JOIN subscriptions s ON s.user_id = i.owner_id
          WHERE i.status IN ('open', 'uncollectible') AND i.due_at <= ${now} AND i.amount > 0 AND s.status = 'active'
          LIMIT ${limit}`,
    ),
    rawAll<{ userId: number }>(
      db,
      sql`SELECT s.user_id AS userId FROM subscriptions s
          WHERE s.status = 'past_due' AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.owner_id = s.user_id
            AND i.status IN ('open', 'uncollectible') AND i.amount > 0 AND i.due_at <= ${now})
          LIMIT ${limit}`,
    ),
  ]);
  return [...turning, ...recovered];
}
