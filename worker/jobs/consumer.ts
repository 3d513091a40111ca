import { z } from "zod";
import { type JobMessage, JobMessageSchema } from "../../contracts/job-messages";
import { syncInvoiceToStripe } from "../core/billing/collection";
import { settleExport } from "../core/exports/settle";
import { inspirationTriggerDead, inspirationTriggerDelivered } from "../core/inspirations/inspirations";
import { renderJobs } from "../core/renderer/client";
import { runWorkflowTask } from "../core/workflows/executors";
import { expandStepChunk } from "../core/workflows/fanout";
import { pokeWorkflows } from "../core/workflows/run-stub";
import { claimOutboxRow, findOutboxRow, markOutbox } from "../db/queries/outbox";
import { backgroundCore, dbOf } from "../platform/context";
import { deliverN8nTrigger } from "./n8n-delivery";
import { deletePrefix } from "./r2-cleanup";
import { dispatchRender, RenderDispatchPayload } from "./render-dispatch";

const R2CleanupPayload = z.object({ prefix: z.string() });
const InvoiceSyncPayload = z.object({ invoice_id: z.number().int().positive() });

/** Exponential backoff for redelivery: 5 s, 10 s, 20 s ... capped at 10 minutes. */
function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 5 * 2 ** Math.max(0, attempts - 1));
}

type OutboxRow = NonNullable<Awaited<ReturnType<typeof findOutboxRow>>>;

/** Runs one outbox job; `skipped` when it had nowhere to go (Stripe not configured). */
async function runOutboxJob(env: Env, row: OutboxRow, now: number): Promise<"delivered" | "skipped"> {
  switch (row.kind) {
    case "r2_cleanup": {
      const { prefix } = R2CleanupPayload.parse(row.payload);
      await deletePrefix(env.BUCKET, prefix);
      return "delivered";
    }
    case "n8n_trigger":
      await deliverN8nTrigger(env, row.targetUrl, row.payload, now);
      await inspirationTriggerDelivered(dbOf(env), row.payload, Date.now());
      return "delivered";
    case "render_cancel":
      await renderJobs(env).cancel(z.object({ render_id: z.string() }).parse(row.payload).render_id);
      return "delivered";
    case "render_dispatch":
      await dispatchRender(backgroundCore(env, now), RenderDispatchPayload.parse(row.payload).export_id);
      return "delivered";
    case "stripe_invoice_sync": {
      const { invoice_id } = InvoiceSyncPayload.parse(row.payload);
      const outcome = await syncInvoiceToStripe(backgroundCore(env, now), invoice_id, row.attempts > 0);
      return outcome === "skipped" ? "skipped" : "delivered";
    }
    default:
      throw new Error(`unknown outbox kind ${row.kind}`);
  }
}

/** What giving up on a job means for the records it was about. */
async function compensateDeadJob(env: Env, row: OutboxRow): Promise<void> {
  if (row.kind === "n8n_trigger") await inspirationTriggerDead(dbOf(env), row.payload, Date.now());
  if (row.kind === "render_dispatch") {
    const parsed = RenderDispatchPayload.safeParse(row.payload);
    if (parsed.success) {
      await settleExport(backgroundCore(env), parsed.data.export_id, {
        outcome: "failed",
        error: `The renderer could not be reached after ${row.attempts} attempts (${row.lastError ?? "no answer"})`,
      });
    }
  }
}

/**
 * The jobs queue consumer. Delivery is at least once: a message takes its outbox row before doing
 * the work, so a duplicate delivery (or a second consumer) finds the row taken or finished and
 * only acknowledges. Each message is acked or retried on its own; a throw would redeliver the
 * whole batch.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // Messages of a batch run side by side (renders of frames are I/O-bound); each is acked alone.
  await Promise.all(batch.messages.map((msg) => consumeOne(msg, env)));
}

async function consumeOne(msg: Message<unknown>, env: Env): Promise<void> {
  const db = dbOf(env);
  const parsed = JobMessageSchema.safeParse(msg.body);
  if (!parsed.success) {
    // A message we cannot read will never become readable: quarantine it (log) instead of retrying.
    console.error(JSON.stringify({ level: "error", msg: "quarantined malformed job message", id: msg.id }));
    msg.ack();
    return;
  }
  if (parsed.data.kind === "fanout") {
    await expandOneChunk(msg, env, parsed.data.id);
    return;
  }
  if (parsed.data.kind === "task") {
    try {
      const outcome = await runWorkflowTask(env, parsed.data.id);
      if (outcome.kind === "retry") msg.retry({ delaySeconds: outcome.delaySeconds });
      else msg.ack();
    } catch (err) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "workflow task failed to run",
          id: parsed.data.id,
          err: String(err),
        }),
      );
      msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
    }
    return;
  }
  const now = Date.now();
  const row = await claimOutboxRow(db, parsed.data.id, now);
  if (!row) {
    msg.ack();
    return;
  }
  try {
    const status = await runOutboxJob(env, row, now);
    await markOutbox(db, row.id, { status, attempts: row.attempts + 1, deliveredAt: Date.now() }, Date.now());
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

/**
 * One chunk of a fan-out step per message, then the message for the next chunk: a step of any
 * size is many short invocations. If sending the next one fails, this message is retried, and
 * its retry continues from wherever the step got to (the message names the step, not a chunk).
 */
async function expandOneChunk(msg: Message<unknown>, env: Env, stepTaskId: number): Promise<void> {
  try {
    const outcome = await expandStepChunk(backgroundCore(env), stepTaskId);
    if (outcome.kind === "more") {
      await env.JOBS.send({ kind: "fanout", id: stepTaskId } satisfies JobMessage);
    }
    if (outcome.kind !== "skipped") await pokeWorkflows(env, [outcome.workflowId]);
    msg.ack();
  } catch (err) {
    console.error(
      JSON.stringify({ level: "error", msg: "fan-out chunk failed", id: stepTaskId, err: String(err) }),
    );
    msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  }
}

/** Messages that exhausted their retries: the row is marked dead and its effects compensated. */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = dbOf(env);
  for (const msg of batch.messages) {
    const parsed = JobMessageSchema.safeParse(msg.body);
    if (parsed.success && (parsed.data.kind === "task" || parsed.data.kind === "fanout")) {
      // A built-in task whose messages kept failing: its lease lapses and the WorkflowRun
      // object dispatches it again, or the cron fails it after its attempts. A fan-out chain
      // that stalled is started again by the object after a minute without a chunk.
      console.error(
        JSON.stringify({
          level: "error",
          msg: `workflow ${parsed.data.kind} message dead-lettered`,
          id: parsed.data.id,
        }),
      );
    } else if (parsed.success) {
      const row = await findOutboxRow(db, parsed.data.id);
      if (row && !["delivered", "skipped", "dead"].includes(row.status)) {
        await markOutbox(db, row.id, { status: "dead" }, Date.now());
        await compensateDeadJob(env, row);
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
