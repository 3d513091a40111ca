import { and, eq, inArray } from "drizzle-orm";
import { outboxInsert } from "../../db/queries/outbox";
import { exportsTable } from "../../db/schema";
import type { CoreContext } from "../context";
import { enqueueOutbox } from "../outbox";
import { settleExport } from "./settle";

/**
 * Cancels an export: settled as cancelled (credits returned, once), then the renderer is asked to
 * stop it through an outbox job, so a renderer that is down hears of it when it is back.
 */
export async function cancelExport(ctx: CoreContext, exportId: number): Promise<boolean> {
  if (!(await settleExport(ctx, exportId, { outcome: "cancelled" }))) return false;
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
  if (row) await enqueueOutbox(ctx.env, ctx.db, [row.id], ctx.now);
  return true;
}

/** A cancelled workflow's exports that are still queued or rendering. */
export async function cancelWorkflowExports(ctx: CoreContext, workflowId: number): Promise<void> {
  const rows = await ctx.db
    .select({ id: exportsTable.id })
    .from(exportsTable)
    .where(
      and(eq(exportsTable.workflowId, workflowId), inArray(exportsTable.status, ["queued", "processing"])),
    );
  for (const r of rows) await cancelExport(ctx, r.id);
}
