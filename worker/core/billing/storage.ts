import { sql } from "drizzle-orm";
import { storageSnapshots, usersWithoutSnapshot } from "../../db/queries/billing";
import { rawRun } from "../../db/raw";
import { isoDate } from "../../platform/time";
import type { CoreContext } from "../context";
import { userPrefix } from "../media/storage-keys";

/**
 * Storage is metered from R2 itself: once a day the cron lists each user's prefix and records the
 * bytes as a `storage_bytes` usage event for that UTC day (ref `storage:YYYY-MM-DD`, so a second
 * run of the same day records nothing). It is billed at ¥10 per GiB-month, pro rata per day: a day
 * holding B bytes costs B/GiB × 10 / (days in that month).
 */
export const STORAGE_PRICE_PER_GIB_MONTH = 10_00;
const GIB = 1024 ** 3;
export const DAY_MS = 86_400_000;
/** Users measured per cron run; the rest are measured on the following runs of the day. */
const SNAPSHOTS_PER_RUN = 50;

export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function daysInMonth(ms: number): number {
  const d = new Date(ms);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
}

/** Bytes under a user's prefix in R2 right now. */
export async function measureStorage(bucket: R2Bucket, ownerId: number): Promise<number> {
  let bytes = 0;
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: userPrefix(ownerId), ...(cursor ? { cursor } : {}) });
    for (const o of page.objects) bytes += o.size;
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return bytes;
}

export function storageRef(ms: number): string {
  return `storage:${isoDate(ms)}`;
}

/** Records today's snapshot for users that have none yet; returns how many were recorded. */
export async function snapshotStorage(ctx: CoreContext): Promise<number> {
  const today = dayStart(ctx.now);
  const ref = storageRef(today);
  const users = await usersWithoutSnapshot(ctx.db, ref, SNAPSHOTS_PER_RUN);
  for (const u of users) {
    const bytes = await measureStorage(ctx.env.BUCKET, u.id);
    await rawRun(
      ctx.db,
      sql`INSERT INTO usage_events (owner_id, kind, quantity, ref, occurred_at, created_at)
        VALUES (${u.id}, 'storage_bytes', ${bytes}, ${ref}, ${today}, ${ctx.now})
        ON CONFLICT DO NOTHING`,
    );
  }
  return users.length;
}

export interface StorageUsage {
  /** Bytes held on the last day of the range. */
  bytes: number;
  /** Hundredths of ¥ for the days of the range. */
  cost: number;
}

/**
 * Storage of the UTC days whose midnight lies in [fromMs, toMs), up to today. A day without a
 * snapshot (the cron had not reached the user) holds what the last snapshot before it held; today,
 * before its snapshot, is measured live.
 */
export async function storageUsage(
  ctx: CoreContext,
  ownerId: number,
  fromMs: number,
  toMs: number,
): Promise<StorageUsage> {
  const first = dayStart(fromMs) === fromMs ? fromMs : dayStart(fromMs) + DAY_MS;
  const today = dayStart(ctx.now);
  const last = Math.min(dayStart(toMs - 1), today);
  if (last < first) return { bytes: 0, cost: 0 };
  const { inRange, before } = await storageSnapshots(ctx.db, ownerId, first, last + DAY_MS);
  const byDay = new Map(inRange.map((s) => [s.at, s.bytes]));
  if (last === today && !byDay.has(today)) byDay.set(today, await measureStorage(ctx.env.BUCKET, ownerId));
  let held = before?.bytes ?? 0;
  let cost = 0;
  for (let day = first; day <= last; day += DAY_MS) {
    held = byDay.get(day) ?? held;
    cost += (held / GIB) * (STORAGE_PRICE_PER_GIB_MONTH / daysInMonth(day));
  }
  return { bytes: held, cost: Math.round(cost) };
}
