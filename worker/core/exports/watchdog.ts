import { findStalledExports } from "../../db/queries/exports";
import type { AppContext } from "../context";
import { cancelRender } from "./cancel";
import { settleExport } from "./settle";

/** An export past its estimate that has not reported anything for this long is given up. */
export const EXPORT_STALL_MS = 30 * 60_000;

/**
 * Cron: a render whose renderer vanished (its events stopped, its job was lost) would hold the
 * user's credits forever. Past its estimated completion and silent for EXPORT_STALL_MS, it fails,
 * its credits are returned (once, like any settlement) and the renderer is told to drop it.
 */
export async function failStalledExports(ctx: AppContext, limit = 100): Promise<number> {
  const stalled = await findStalledExports(ctx.db, ctx.now - EXPORT_STALL_MS, limit);
  let failed = 0;
  for (const { id } of stalled) {
    const settled = await settleExport(ctx, id, {
      outcome: "failed",
      error: `The renderer reported nothing for ${EXPORT_STALL_MS / 60_000} minutes past the estimate`,
    });
    if (settled) {
      failed++;
      await cancelRender(ctx, id);
    }
  }
  return failed;
}
