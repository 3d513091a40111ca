import { desc, eq, lt, sql } from "drizzle-orm";
import type { Database } from "../client";
import { type BILLING_EVENT_KINDS, billingEvents, stripeCustomers, stripeEvents, users } from "../schema";

/** The user's Stripe customer id, with what a new customer is created from. */
export async function findBillingContact(db: Database, userId: number) {
  const rows = await db
    .select({ email: users.email, username: users.username, customerId: stripeCustomers.customerId })
    .from(users)
    .leftJoin(stripeCustomers, eq(stripeCustomers.userId, users.id))
    .where(eq(users.id, userId))
    .limit(1);
  return rows[0];
}

/** Keeps the first customer recorded for a user and returns whichever that is. */
export async function saveStripeCustomer(db: Database, userId: number, customerId: string, now: number) {
  const [, rows] = await db.batch([
    db.insert(stripeCustomers).values({ userId, customerId, createdAt: now }).onConflictDoNothing(),
    db
      .select({ customerId: stripeCustomers.customerId })
      .from(stripeCustomers)
      .where(eq(stripeCustomers.userId, userId)),
  ]);
  return rows[0]?.customerId ?? customerId;
}

/**
 * Records a Stripe event as applied, for the batch that applies it. A plain INSERT: an event id
 * seen before fails the UNIQUE constraint, which rolls the whole batch (the effect) back.
 */
export function stripeEventStatement(
  db: Database,
  e: { id: string; type: string; invoiceId: number | null; outcome: string },
  now: number,
) {
  return db.insert(stripeEvents).values({ ...e, receivedAt: now });
}

export async function findStripeEvent(db: Database, id: string) {
  return db.query.stripeEvents.findFirst({ where: eq(stripeEvents.id, id) });
}

/** Forgets event ids older than any redelivery Stripe makes (it retries for three days). */
export async function purgeStripeEvents(db: Database, before: number) {
  const rows = await db
    .delete(stripeEvents)
    .where(lt(stripeEvents.receivedAt, before))
    .returning({ id: stripeEvents.id });
  return rows.length;
}

export type BillingEventKind = (typeof BILLING_EVENT_KINDS)[number];

export function billingEventStatement(
  db: Database,
  e: {
    ownerId: number;
    kind: BillingEventKind;
    ref: string;
    data: Record<string, unknown>;
    occurredAt: number;
  },
  now: number,
) {
  return db
    .insert(billingEvents)
    .values({ ...e, createdAt: now })
    .onConflictDoNothing();
}

export async function listBillingEvents(db: Database, ownerId: number, q: { skip: number; limit: number }) {
  const where = eq(billingEvents.ownerId, ownerId);
  const [rows, totals] = await db.batch([
    db
      .select()
      .from(billingEvents)
      .where(where)
      .orderBy(desc(billingEvents.occurredAt), desc(billingEvents.id))
      .limit(q.limit)
      .offset(q.skip),
    db.select({ total: sql<number>`COUNT(*)` }).from(billingEvents).where(where),
  ]);
  return { total: totals[0]?.total ?? 0, items: rows };
}
