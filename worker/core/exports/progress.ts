import type { ExportRow } from "../../db/queries/exports";
import type { AppContext } from "../context";
import { workflowRun } from "../workflows/run-stub";

/**
 * Tells an export's workflow watchers how its render is going (`export_progress` frames). Best
 * effort: the export row is the truth, a lost frame is only a missed hint.
 */
export async function reportRenderProgress(
  ctx: AppContext,
  exp: Pick<ExportRow, "id" | "workflowId">,
  p: { progress: number; stage: string; eta_seconds?: number | undefined },
): Promise<void> {
  if (exp.workflowId === null) return;
  await workflowRun(ctx.env, exp.workflowId)
    .exportProgress(exp.workflowId, {
      export_id: exp.id,
      progress: p.progress,
      stage: p.stage,
      ...(p.eta_seconds !== undefined ? { eta_seconds: p.eta_seconds } : {}),
    })
    .catch(() => undefined);
}
