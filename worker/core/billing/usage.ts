import { apiKeyIdsOf, exportUsage } from "../../db/queries/billing";
import { badRequest } from "../../platform/errors";
import { isoDate } from "../../platform/time";
import type { AppContext } from "../context";
import { limiter } from "../rate-limits";
import { DAY_MS, dayStart, storageUsage } from "./storage";
import { currentSubscription } from "./subscriptions";
import { fromHundredths } from "./tiers";

/** The longest range one usage report covers. */
const MAX_RANGE_DAYS = 366;

function parseDay(value: string, field: string): number {
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(ms) || isoDate(ms) !== value) {
    throw badRequest(`${field} must be a date as YYYY-MM-DD`);
  }
  return ms;
}

/**
 * API calls of a user on both surfaces, as counted by the rate limiter's daily meters: the studio
 * bucket, the automation bucket of the user's JWT and that of each of the user's API keys.
 */
async function apiCalls(ctx: AppContext, userId: number, fromDay: string, toDay: string): Promise<number> {
  const keys = await apiKeyIdsOf(ctx.db, userId);
  const names = [
    `studio:user:${userId}`,
    `automation:user:${userId}`,
    ...keys.map((k) => `automation:key:${k.id}`),
  ];
  const client = limiter(ctx.env);
  const days = await Promise.all(names.map((n) => client.usage(n, fromDay, toDay)));
  return days.flat().reduce((sum, d) => sum + d.count, 0);
}

/**
 * `GET /billing/usage`: real events of the UTC days [start_date, end_date] (default: the current
 * quota month up to today) — completed exports and their video seconds from the usage ledger,
 * storage from the daily R2 snapshots, API calls from the rate limiter — and what they cost:
 * export credits at ¥1 each, storage at ¥10/GiB-month.
 */
export async function usageReport(
  ctx: AppContext,
  userId: number,
  q: { start_date?: string | undefined; end_date?: string | undefined },
) {
  const today = dayStart(ctx.now);
  let start: number;
  if (q.start_date) start = parseDay(q.start_date, "start_date");
  else start = dayStart((await currentSubscription(ctx, userId))?.currentPeriodStart ?? ctx.now);
  const end = q.end_date ? parseDay(q.end_date, "end_date") : today;
  if (end < start) throw badRequest("end_date is before start_date");
  if ((end - start) / DAY_MS + 1 > MAX_RANGE_DAYS) {
    throw badRequest(`A usage report covers at most ${MAX_RANGE_DAYS} days`);
  }
  const until = end + DAY_MS;
  const [exports, storage, calls] = await Promise.all([
    exportUsage(ctx.db, userId, start, until),
    storageUsage({ db: ctx.db, now: ctx.now, bucket: ctx.env.BUCKET }, userId, start, until),
    apiCalls(ctx, userId, isoDate(start), isoDate(end)),
  ]);
  return {
    user_id: userId,
    period: { start: isoDate(start), end: isoDate(end) },
    usage: {
      video_exports: exports.count,
      total_duration: exports.seconds,
      storage_used: storage.bytes,
      api_calls: calls,
    },
    costs: {
      video_exports: fromHundredths(exports.credits),
      storage: fromHundredths(storage.cost),
      total: fromHundredths(exports.credits + storage.cost),
    },
  };
}
