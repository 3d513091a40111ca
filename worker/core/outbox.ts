import type { JobMessage } from "../../contracts/job-messages";
import type { Database } from "../db/client";
import { findStrandedOutbox, markEnqueued } from "../db/queries/outbox";

/**
 * Sends outbox rows to the jobs queue. A failure here loses nothing: the rows stay `pending` and
 * the cron sweeper sends them again.
 */
export async function enqueueOutbox(env: Env, db: Database, ids: number[], now: number): Promise<void> {
  if (ids.length === 0) return;
  try {
    await env.JOBS.sendBatch(ids.map((id) => ({ body: { kind: "outbox", id } satisfies JobMessage })));
    await markEnqueued(db, ids, now);
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

export async function sweepOutbox(env: Env, db: Database, now: number): Promise<number> {
  const rows = await findStrandedOutbox(db, now, 100);
  await enqueueOutbox(
    env,
    db,
    rows.map((r) => r.id),
    now,
  );
  return rows.length;
}
