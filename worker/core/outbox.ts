import type { JobMessage } from "../../contracts/job-messages";
import { findStrandedOutbox, markEnqueued } from "../db/queries/outbox";
import type { AppContext } from "./context";

/**
 * Sends outbox rows to the jobs queue. A failure here loses nothing: the rows stay `pending` and
 * the cron sweeper sends them again.
 */
export async function enqueueOutbox(ctx: AppContext, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  try {
    await ctx.env.JOBS.sendBatch(ids.map((id) => ({ body: { kind: "outbox", id } satisfies JobMessage })));
    await markEnqueued(ctx.db, ids, ctx.now);
  } catch (err) {
    console.warn(
      JSON.stringify({
        level: "warn",
        msg: "queue send failed; the sweeper will retry",
        ids,
        err: String(err),
      }),
    );
  }
}

export async function sweepOutbox(ctx: AppContext): Promise<number> {
  const rows = await findStrandedOutbox(ctx.db, ctx.now, 100);
  await enqueueOutbox(
    ctx,
    rows.map((r) => r.id),
  );
  return rows.length;
}
