import { and, eq } from "drizzle-orm";
import type { Database } from "../client";
import { subscriptions } from "../schema";

export async function findSubscription(db: Database, userId: number) {
  return db.query.subscriptions.findFirst({ where: eq(subscriptions.userId, userId) });
}

/**
 * Moves a subscription into its current quota period. Guarded by the old period end, so two
 * readers rolling over at once apply it once.
 */
export async function rollSubscriptionPeriod(
  db: Database,
  input: {
    id: number;
    fromPeriodEnd: number;
    periodStart: number;
    periodEnd: number;
    quotaTotal: number;
    now: number;
  },
) {
  const rows = await db
    .update(subscriptions)
    .set({
      currentPeriodStart: input.periodStart,
      currentPeriodEnd: input.periodEnd,
      quotaTotal: input.quotaTotal,
      quotaUsed: 0,
      updatedAt: input.now,
    })
    .where(and(eq(subscriptions.id, input.id), eq(subscriptions.currentPeriodEnd, input.fromPeriodEnd)))
    .returning();
  return rows[0];
}
