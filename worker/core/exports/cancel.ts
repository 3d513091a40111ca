import { findLiveExportsOfWorkflow } from "../../db/queries/exports";
import { outboxInsert } from "../../db/queries/outbox";
import type { AppContext } from "../context";
import { enqueueOutbox } from "../outbox";
import { settleExport } from "./settle";

/**
 * Cancels an export: settled as cancelled (credits returned, once), then the renderer is asked to
 * stop it through an outbox job, so a renderer that is down hears of it when it is back.
 */
export async function cancelExport(
  ctx: AppContext,
  exportId: number,
  opts: { pokeWorkflow?: boolean } = {},
): Promise<boolean> {
  if (!(await settleExport(ctx, exportId, { outcome: "cancelled" }, opts))) return false;
  await cancelRender(ctx, exportId);
  return true;
}

/** Tells the renderer to drop a render, through the outbox (so a renderer that is down hears it later). */
export async function cancelRender(ctx: AppContext, exportId: number): Promise<void> {
  const [row] = await outboxInsert(
    ctx.db,
    {
      ownerId: null,
      kind: "render_cancel",
      dedupeKey: `render_cancel:${exportId}`,
      payload: { render_id: `export-${exportId}` },
    },
    ctx.now,
  );
  if (row) await enqueueOutbox(ctx, [row.id]);
}

/** A cancelled workflow's exports that are still queued or rendering (called by its WorkflowRun object). */
export async function cancelWorkflowExports(ctx: AppContext, workflowId: number): Promise<void> {
  const rows = await findLiveExportsOfWorkflow(ctx.db, workflowId);
  for (const r of rows) await cancelExport(ctx, r.id, { pokeWorkflow: false });
}
