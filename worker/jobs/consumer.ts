import { z } from "zod";
import { findOutboxRow, markOutbox } from "../db/queries/outbox";
import { dbOf } from "../platform/context";
import { JobMessageSchema, retryDelaySeconds } from "./messages";
import { deletePrefix } from "./r2-cleanup";

const R2CleanupPayload = z.object({ prefix: z.string() });

type OutboxRow = NonNullable<Awaited<ReturnType<typeof findOutboxRow>>>;

async function runOutboxJob(env: Env, row: OutboxRow): Promise<void> {
  switch (row.kind) {
    case "r2_cleanup": {
      const { prefix } = R2CleanupPayload.parse(row.payload);
      await deletePrefix(env.BUCKET, prefix);
      return;
    }
    default:
      throw new Error(`unknown outbox kind ${row.kind}`);
  }
}

const FINAL = new Set(["delivered", "skipped", "dead"]);

/**
 * The jobs queue consumer. Delivery is at least once, so every job is idempotent and a row already
 * finished is acknowledged without running again. Each message is acked or retried on its own: a
 * throw would redeliver the whole batch.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = dbOf(env);
  for (const msg of batch.messages) {
    const parsed = JobMessageSchema.safeParse(msg.body);
    if (!parsed.success) {
      // A message we cannot read will never become readable: quarantine it (log) instead of retrying.
      console.error(JSON.stringify({ level: "error", msg: "quarantined malformed job message", id: msg.id }));
      msg.ack();
      continue;
    }
    const row = await findOutboxRow(db, parsed.data.id);
    if (!row || FINAL.has(row.status)) {
      msg.ack();
      continue;
    }
    try {
      await runOutboxJob(env, row);
      await markOutbox(
        db,
        row.id,
        { status: "delivered", attempts: row.attempts + 1, deliveredAt: Date.now() },
        Date.now(),
      );
      msg.ack();
    } catch (err) {
      await markOutbox(
        db,
        row.id,
        { status: "failed", attempts: row.attempts + 1, lastError: String(err).slice(0, 500) },
        Date.now(),
      );
      msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
    }
  }
}

/** Messages that exhausted their retries: the row is marked dead so nothing is silently dropped. */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = dbOf(env);
  for (const msg of batch.messages) {
    const parsed = JobMessageSchema.safeParse(msg.body);
    if (parsed.success) {
      const row = await findOutboxRow(db, parsed.data.id);
      if (row && !FINAL.has(row.status)) {
        await markOutbox(db, row.id, { status: "dead" }, Date.now());
        console.error(
          JSON.stringify({
            level: "error",
            msg: "job dead-lettered",
            id: row.id,
            kind: row.kind,
            lastError: row.lastError,
          }),
        );
      }
    }
    msg.ack();
  }
}
