import { findActiveExportByTask } from "../../db/queries/exports";
import { startExport } from "../exports/exports";
import { estimatedRenderSeconds } from "../exports/pricing";
import { type ExecutionContext, type ExecutionResult, PermanentError } from "./executor-types";
import { readOptions } from "./options";

/**
 * `video_rendering`: an ordinary export of the project (it appears in export history
 * and is charged like any export), at `options.resolution` (default 720p). The step stays
 * processing while the renderer works; the export's completion or failure settles it. Running the
 * step again (a redelivery) finds the export it has running; after a failed export (a retried
 * workflow) it starts a new one.
 */
export async function startRenderStep(ex: ExecutionContext): Promise<ExecutionResult> {
  const { ctx, task, workflow } = ex;
  const options = readOptions(workflow.options);
  const resolution = options.resolution ?? "720p";
  let exp = await findActiveExportByTask(ctx.db, task.id);
  if (!exp) {
    try {
      exp = await startExport(
        ctx,
        task.ownerId,
        {
          project_id: workflow.projectId,
          resolution,
          format: options.format ?? "mp4",
          include_subtitles: options.include_subtitles ?? true,
        },
        { workflowId: workflow.id, taskId: task.id },
      );
    } catch (err) {
      // Not enough credits or nothing to render will not change by retrying.
      if (err instanceof Error && "status" in err && typeof err.status === "number" && err.status < 500) {
        throw new PermanentError(err.message);
      }
      throw err;
    }
  }
  // The lease covers the render (three times the estimate, at least ten minutes); progress events extend it.
  const leaseMs = Math.max(600_000, 3 * estimatedRenderSeconds(ctx.env, resolution, exp.videoLength) * 1000);
  return {
    output: { export_id: exp.id },
    statements: [],
    keepOpen: true,
    keepOpenUntil: Date.now() + leaseMs,
  };
}
