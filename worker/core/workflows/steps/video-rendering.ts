import { findActiveExportByTask } from "../../../db/queries/exports";
import { listProjectStoryboards } from "../../../db/queries/storyboards";
import { badRequest } from "../../../platform/errors";
import { estimatedRenderSeconds, exportCost } from "../../exports/pricing";
import { readOptions } from "../options";
import { PermanentError, type SingleStep, type StepResult, type StepRun } from "./types";

/**
 * An ordinary export of the project (it appears in export history and is charged like any
 * export), at `options.resolution` (default 720p). The step stays processing while the renderer
 * works; the export's completion or failure settles it. Running the step again (a redelivery)
 * finds the export it has running; after a failed export (a retried workflow) it starts a new one.
 */
async function startRenderStep(ex: StepRun): Promise<StepResult> {
  const { ctx, task, workflow } = ex;
  const options = readOptions(workflow.options);
  const resolution = options.resolution ?? "720p";
  let exp: { id: number; videoLength: number } | undefined = await findActiveExportByTask(ctx.db, task.id);
  if (!exp) {
    try {
      exp = await ex.services.startExport(
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

/** `video_rendering` (built in): the renderer's progress reaches the step as `export_progress` frames. */
export const videoRendering = {
  name: "video_rendering",
  kind: "single",
  noun: "video",
  plural: "videos",
  progressGuess: 0,
  // The export's price: the export reserves and charges it itself when this step starts it.
  quote: (f) => {
    const amount = exportCost(f.options.resolution ?? "720p", f.videoSeconds);
    return {
      step: "video_rendering",
      kind: "export",
      provider: "builtin",
      model: null,
      unit: "export",
      items: 1,
      takes: 1,
      unit_price: amount,
      amount,
    };
  },
  // As a workflow's first step, nothing before it makes storyboards: there must be some already.
  async check(ctx, ownerId, project, { first }) {
    if (first && (await listProjectStoryboards(ctx.db, ownerId, project.id)).length === 0) {
      throw badRequest(
        "The project has no storyboards to render: create them or run a storyboard workflow first",
      );
    }
  },
  run: startRenderStep,
} as const satisfies SingleStep<"video_rendering">;
