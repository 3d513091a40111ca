import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import { type ExportRow, findExportById, updateExportStatement } from "../../db/queries/exports";
import { completeStudioProjectStatement } from "../../db/queries/project-progress";
import { rawRun } from "../../db/raw";
import type { CoreContext } from "../context";
import { prepareTaskUpdates } from "../tasks/engine";
import { pokeWorkflows } from "../workflows/run-stub";

/**
 * The end of an export, applied exactly once: the status moves only from queued/processing (a
 * guarded update; a second settlement aborts its whole batch), and in the same batch the reserved
 * credits are committed (completed) or given back (failed, cancelled), the ledger records it (its
 * unique index also refuses a second settlement) and a workflow's video_rendering step follows.
 */
export type Settlement =
  | { outcome: "completed"; patch: Partial<ExportRow> }
  | { outcome: "failed"; error: string }
  | { outcome: "cancelled" };

export async function settleExport(
  ctx: CoreContext,
  exportId: number,
  s: Settlement,
  opts: { pokeWorkflow?: boolean } = {},
): Promise<boolean> {
  const exp = await findExportById(ctx.db, exportId);
  if (!exp || !["queued", "processing"].includes(exp.status)) return false;
  const now = ctx.now;
  const statements: BatchItem<"sqlite">[] = [
    updateExportStatement(
      ctx.db,
      exp.id,
      s.outcome === "completed"
        ? { ...s.patch, status: "completed", progress: 1, completedAt: now, error: null }
        : { status: s.outcome, error: s.outcome === "failed" ? s.error : "Cancelled", completedAt: now },
      now,
      ["queued", "processing"],
    ),
    abortUnlessChanged(ctx.db, `export:${exp.id}`),
  ];
  if (s.outcome === "completed") {
    statements.push(
      rawRun(
        ctx.db,
        sql`INSERT INTO credit_ledger (owner_id, kind, amount, export_id, description, created_at)
          VALUES (${exp.ownerId}, 'commit', 0, ${exp.id}, ${`Export ${exp.id} completed: ${exp.cost / 100} credits used`}, ${now})`,
      ),
      rawRun(
        ctx.db,
        sql`INSERT INTO usage_events (owner_id, kind, quantity, ref, occurred_at, created_at)
          VALUES (${exp.ownerId}, 'video_export', 1, ${`export:${exp.id}`}, ${now}, ${now})
          ON CONFLICT DO NOTHING`,
      ),
      completeStudioProjectStatement(ctx.db, exp.ownerId, exp.projectId, now),
      rawRun(
        ctx.db,
        sql`INSERT INTO usage_events (owner_id, kind, quantity, ref, occurred_at, created_at)
          VALUES (${exp.ownerId}, 'video_ms', ${Math.round((s.patch.duration ?? exp.videoLength) * 1000)}, ${`export:${exp.id}`}, ${now}, ${now})
          ON CONFLICT DO NOTHING`,
      ),
    );
  } else {
    statements.push(
      rawRun(
        ctx.db,
        sql`INSERT INTO credit_ledger (owner_id, kind, amount, export_id, description, created_at)
          VALUES (${exp.ownerId}, 'refund', ${exp.cost}, ${exp.id}, ${`Export ${exp.id} ${s.outcome}: credits returned`}, ${now})`,
      ),
      // Credits go back to the quota month they were taken from; if that month has since rolled
      // over, the reset already gave them back and the new month's usage is left alone.
      rawRun(
        ctx.db,
        sql`UPDATE subscriptions SET quota_used = MAX(0, quota_used - ${exp.cost}), updated_at = ${now}
          WHERE user_id = ${exp.ownerId} AND current_period_start <= ${exp.createdAt}`,
      ),
    );
  }
  if (exp.taskId !== null && s.outcome !== "cancelled") {
    try {
      const prepared = await prepareTaskUpdates(
        ctx,
        exp.ownerId,
        [
          {
            locator: { id: exp.taskId },
            status: s.outcome === "completed" ? "completed" : "failed",
            ...(s.outcome === "completed"
              ? { task_output: { export_id: exp.id } }
              : { error_message: `Export ${exp.id} failed: ${s.error}` }),
          },
        ],
        { leaseRequired: false, itemHook: false },
      );
      statements.push(...prepared.statements);
    } catch {
      // The step was cancelled or moved on: the export still settles.
    }
  }
  try {
    await ctx.db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (err) {
    if (isGuardAbort(err)) return false;
    throw err;
  }
  // The WorkflowRun object itself settles with pokeWorkflow false: a poke would wait on its own lock.
  if (exp.workflowId !== null && opts.pokeWorkflow !== false) await pokeWorkflows(ctx.env, [exp.workflowId]);
  return true;
}
