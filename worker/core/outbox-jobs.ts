import { z } from "zod";
import { dbOf } from "../db/client";
import { claimOutboxRow, findOutboxRow, markOutbox } from "../db/queries/outbox";
import { syncInvoiceToStripe } from "./billing/collection";
import { createContext } from "./context";
import { dispatchRender, RenderDispatchPayload } from "./exports/render-dispatch";
import { settleExport } from "./exports/settle";
import { inspirationTriggerDead, inspirationTriggerDelivered } from "./inspirations/inspirations";
import { deletePrefix } from "./media/r2-cleanup";
import { deliverN8nTrigger } from "./n8n/delivery";
import { renderJobs } from "./renderer/client";

/**
 * The jobs of outbox rows, as the queue consumer runs them. Delivery is at least once: a message
 * takes its row before doing the work, so a duplicate delivery (or a second consumer) finds the
 * row taken or finished and does nothing.
 */
const R2CleanupPayload = z.object({ prefix: z.string() });
const InvoiceSyncPayload = z.object({ invoice_id: z.number().int().positive() });

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
      await inspirationTriggerDelivered(dbOf(env.DB), row.payload, Date.now());
      return "delivered";
    case "render_cancel":
      await renderJobs(env).cancel(z.object({ render_id: z.string() }).parse(row.payload).render_id);
      return "delivered";
    case "render_dispatch":
      await dispatchRender(createContext(env, { now }), RenderDispatchPayload.parse(row.payload).export_id);
      return "delivered";
    case "stripe_invoice_sync": {
      const { invoice_id } = InvoiceSyncPayload.parse(row.payload);
      const outcome = await syncInvoiceToStripe(createContext(env, { now }), invoice_id, row.attempts > 0);
      return outcome === "skipped" ? "skipped" : "delivered";
    }
    default:
      throw new Error(`unknown outbox kind ${row.kind}`);
  }
}

/**
 * Takes outbox row `id` and runs its job. `done`: finished, or not this message's to do (taken,
 * delivered); `failed`: the row records the error and the message is to be retried with backoff.
 */
export async function runOutboxMessage(env: Env, id: number): Promise<"done" | "failed"> {
  const db = dbOf(env.DB);
  const now = Date.now();
  const row = await claimOutboxRow(db, id, now);
  if (!row) return "done";
  try {
    const status = await runOutboxJob(env, row, now);
    await markOutbox(db, row.id, { status, attempts: row.attempts + 1, deliveredAt: Date.now() }, Date.now());
    return "done";
  } catch (err) {
    await markOutbox(
      db,
      row.id,
      { status: "failed", attempts: row.attempts + 1, lastError: String(err).slice(0, 500) },
      Date.now(),
    );
    return "failed";
  }
}

/** What giving up on a job means for the records it was about. */
async function compensateDeadJob(env: Env, row: OutboxRow): Promise<void> {
  if (row.kind === "n8n_trigger") await inspirationTriggerDead(dbOf(env.DB), row.payload, Date.now());
  if (row.kind === "render_dispatch") {
    const parsed = RenderDispatchPayload.safeParse(row.payload);
    if (parsed.success) {
      await settleExport(createContext(env), parsed.data.export_id, {
        outcome: "failed",
        error: `The renderer could not be reached after ${row.attempts} attempts (${row.lastError ?? "no answer"})`,
      });
    }
  }
}

/** A message that exhausted its retries: its row is marked dead and its effects compensated, once. */
export async function buryOutboxMessage(env: Env, id: number): Promise<void> {
  const db = dbOf(env.DB);
  const row = await findOutboxRow(db, id);
  if (!row || ["delivered", "skipped", "dead"].includes(row.status)) return;
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
