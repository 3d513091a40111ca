import { runBatch, type Statement } from "../../db/client";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import {
  completedExportStatements,
  type ExportRow,
  findExportById,
  refundedExportStatements,
  updateExportStatement,
} from "../../db/queries/exports";
import type { AppContext } from "../context";
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
  ctx: AppContext,
  exportId: number,
  s: Settlement,
  opts: { pokeWorkflow?: boolean } = {},
): Promise<boolean> {
  const exp = await findExportById(ctx.db, exportId);
  if (!exp || !["queued", "processing"].includes(exp.status)) return false;
  const now = ctx.now;
  const statements: Statement[] = [
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
  statements.push(
    ...(s.outcome === "completed"
      ? completedExportStatements(ctx.db, exp, s.patch.duration ?? exp.videoLength, now)
      : refundedExportStatements(ctx.db, exp, s.outcome, now)),
  );
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
    await runBatch(ctx.db, statements);
  } catch (err) {
    if (isGuardAbort(err)) return false;
    throw err;
  }
  // The WorkflowRun object itself settles with pokeWorkflow false: a poke would wait on its own lock.
  if (exp.workflowId !== null && opts.pokeWorkflow !== false) await pokeWorkflows(ctx.env, [exp.workflowId]);
  return true;
}
