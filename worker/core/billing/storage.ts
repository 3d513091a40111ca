import type { Database } from "../../db/client";
import { insertStorageSnapshot, storageSnapshots, usersWithoutSnapshot } from "../../db/queries/billing";
import { isoDate } from "../../platform/time";
import type { AppContext } from "../context";
import { userPrefix } from "../media/storage-keys";
import { type StorageDay, storageCost } from "./money";

/**
 * Storage is metered from R2 itself: once a day the cron lists each user's prefix and records the
 * bytes as a `storage_bytes` usage event for that UTC day (ref `storage:YYYY-MM-DD`, so a second
 * run of the same day records nothing). It is billed at ¥10 per GiB-month, pro rata per day: a day
 * holding B bytes costs B/GiB × 10 / (days in that month).
 */
export const STORAGE_PRICE_PER_GIB_MONTH = 10_00;
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
export async function snapshotStorage(ctx: AppContext): Promise<number> {
  const today = dayStart(ctx.now);
  const ref = storageRef(today);
  const users = await usersWithoutSnapshot(ctx.db, ref, SNAPSHOTS_PER_RUN);
  for (const u of users) {
    const bytes = await measureStorage(ctx.env.BUCKET, u.id);
    await insertStorageSnapshot(ctx.db, { ownerId: u.id, bytes, ref, day: today, now: ctx.now });
  }
  return users.length;
}

export interface StorageUsage {
  /** Bytes held on the last day of the range. */
  bytes: number;
  /** Fen for the days of the range. */
  cost: number;
}

/** Where storage is read from: D1's snapshots, and R2 itself for today when `bucket` is given. */
export interface StorageSource {
  db: Database;
  now: number;
  bucket?: R2Bucket | undefined;
}

/**
 * Storage of the UTC days whose midnight lies in [fromMs, toMs), up to today. A day without a
 * snapshot (the cron had not reached the user) holds what the last snapshot before it held. With a
 * bucket, today before its snapshot is measured live (the usage report); invoices read snapshots
 * only, so an invoice can always be recomputed from D1.
 */
export async function storageUsage(
  src: StorageSource,
  ownerId: number,
  fromMs: number,
  toMs: number,
): Promise<StorageUsage> {
  const first = dayStart(fromMs) === fromMs ? fromMs : dayStart(fromMs) + DAY_MS;
  const today = dayStart(src.now);
  const last = Math.min(dayStart(toMs - 1), today);
  if (last < first) return { bytes: 0, cost: 0 };
  const { inRange, before } = await storageSnapshots(src.db, ownerId, first, last + DAY_MS);
  const byDay = new Map(inRange.map((s) => [s.at, s.bytes]));
  if (src.bucket && last === today && !byDay.has(today)) {
    byDay.set(today, await measureStorage(src.bucket, ownerId));
  }
  let held = before?.bytes ?? 0;
  const days: StorageDay[] = [];
  for (let day = first; day <= last; day += DAY_MS) {
    held = byDay.get(day) ?? held;
    days.push({ bytes: held, daysInMonth: daysInMonth(day) });
  }
  return { bytes: held, cost: storageCost(days, STORAGE_PRICE_PER_GIB_MONTH) };
}
