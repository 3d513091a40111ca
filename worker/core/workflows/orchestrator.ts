import { and, asc, eq, isNull } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { canvasSize } from "../../../contracts/render-spec";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import { startStepStatement } from "../../db/queries/workflow-tasks";
import type { WorkflowRow } from "../../db/queries/workflows";
import { characters, storyboards, studioProjects } from "../../db/schema";
import { AppError } from "../../platform/errors";
import type { CoreContext } from "../context";
import { fileUrl } from "../media/urls";
import { applyTaskUpdates, prepareTaskGraph, type TaskSpec } from "../tasks/engine";
import { readOptions } from "./options";
import { ITEM_TASK_TYPE, itemRef, type StepName } from "./templates";

/**
 * What the WorkflowRun object does to the database to move a workflow on: start a fan-out step
 * (its items become child tasks, in the batch that moves the step to processing), and close a
 * step when its items are done. Every write is conditional, so doing it twice does nothing.
 */
type FanoutStep = Extract<StepName, "character_generation" | "storyboard_generation">;

interface Item {
  ref: string;
  output: Record<string, unknown>;
}

/** The items a fan-out step works on: what has no image yet (or everything but uploads, on request). */
async function stepItems(ctx: CoreContext, wf: WorkflowRow, step: FanoutStep): Promise<Item[]> {
  const options = readOptions(wf.options);
  const [project] = await ctx.db
    .select()
    .from(studioProjects)
    .where(eq(studioProjects.id, wf.projectId))
    .limit(1);
  if (!project) return [];
  const style = options.style ?? "cinematic";
  if (step === "character_generation") {
    const rows = await ctx.db
      .select()
      .from(characters)
      .where(
        and(
          eq(characters.projectId, wf.projectId),
          eq(characters.ownerId, wf.ownerId),
          isNull(characters.deletedAt),
        ),
      )
      .orderBy(asc(characters.id));
    const { width, height } = canvasSize("720p", "3:4");
    return rows
      .filter((c) => !c.imageKey || (options.regenerate_images && c.source !== "upload"))
      .map((c) => ({
        ref: itemRef("character", c.id),
        output: { character_id: c.id, name: c.name, description: c.description, style, width, height },
      }));
  }
  const [sbRows, charRows] = await Promise.all([
    ctx.db
      .select()
      .from(storyboards)
      .where(
        and(
          eq(storyboards.projectId, wf.projectId),
          eq(storyboards.ownerId, wf.ownerId),
          isNull(storyboards.deletedAt),
        ),
      )
      .orderBy(asc(storyboards.sceneNumber)),
    ctx.db
      .select()
      .from(characters)
      .where(and(eq(characters.projectId, wf.projectId), isNull(characters.deletedAt))),
  ]);
  const byId = new Map(charRows.map((c) => [c.id, c]));
  const { width, height } = canvasSize("720p", project.aspectRatio);
  const out: Item[] = [];
  for (const sb of sbRows) {
    if (sb.imageKey && !(options.regenerate_images && sb.imageSource !== "upload")) continue;
    // What an external worker needs to make the image: the scene, its size and style, references.
    const refs = await Promise.all(
      sb.characterIds.map(async (id) => {
        const c = byId.get(id);
        return c ? { id, name: c.name, image_url: await fileUrl(ctx, c.imageKey) } : null;
      }),
    );
    out.push({
      ref: itemRef("storyboard", sb.id),
      output: {
        storyboard_id: sb.id,
        scene_number: sb.sceneNumber,
        description: sb.description,
        caption: sb.caption,
        characters: refs.filter(Boolean),
        style,
        width,
        height,
      },
    });
  }
  return out;
}

/**
 * Starts a fan-out step: pending → processing and one child task per item, atomically. A step with
 * nothing to do completes at once (and releases the next step). Returns whether it wrote anything.
 */
export async function expandStep(
  ctx: CoreContext,
  wf: WorkflowRow,
  step: FanoutStep,
  stepTaskId: number,
): Promise<boolean> {
  if (wf.pipelineProjectId === null) return false;
  const items = await stepItems(ctx, wf, step);
  if (items.length === 0) {
    return closeStep(ctx, wf.ownerId, stepTaskId, null);
  }
  const specs: TaskSpec[] = items.map((item) => ({
    task_type: ITEM_TASK_TYPE[step],
    workflow_id: wf.id,
    step,
    parent_task_id: stepTaskId,
    item_ref: item.ref,
    task_output: { ...item.output, workflow_id: wf.id },
  }));
  const graph = await prepareTaskGraph(ctx, wf.ownerId, { id: wf.pipelineProjectId }, specs);
  try {
    await ctx.db.batch([
      startStepStatement(ctx.db, stepTaskId, ctx.now),
      abortUnlessChanged(ctx.db, `step:${stepTaskId}`),
      ...graph.statements,
    ] as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
    return true;
  } catch (err) {
    if (isGuardAbort(err)) return false;
    throw err;
  }
}

/** Completes a step, or fails it with `error`; a step that moved on meanwhile is left alone. */
export async function closeStep(
  ctx: CoreContext,
  ownerId: number,
  stepTaskId: number,
  error: string | null,
): Promise<boolean> {
  try {
    const applied = await applyTaskUpdates(
      ctx,
      ownerId,
      [
        {
          locator: { id: stepTaskId },
          status: error ? "failed" : "completed",
          ...(error ? { error_message: error } : {}),
        },
      ],
      { leaseRequired: false, itemHook: false },
    );
    return applied.changedIds.length > 0;
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return false;
    throw err;
  }
}
