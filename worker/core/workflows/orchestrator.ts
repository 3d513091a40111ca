import type { BatchItem } from "drizzle-orm/batch";
import { canvasSize } from "../../../contracts/render-spec";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import { findProjectCharacters, listCharactersAfter } from "../../db/queries/characters";
import { listStoryboardsAfter } from "../../db/queries/storyboards";
import { findStudioProject } from "../../db/queries/studio-projects";
import { rollupProjectStatement } from "../../db/queries/tasks";
import { advanceFanoutStatement, type FanoutProgress, findFanoutStep } from "../../db/queries/workflow-tasks";
import { findWorkflowById, type WorkflowRow } from "../../db/queries/workflows";
import { AppError } from "../../platform/errors";
import type { CoreContext } from "../context";
import { fileUrl } from "../media/urls";
import { applyTaskUpdates, prepareTaskGraph, type TaskSpec } from "../tasks/engine";
import { readOptions } from "./options";
import { ITEM_TASK_TYPE, itemRef, type StepName } from "./templates";

/**
 * What moves a workflow on in the database: a fan-out step's items become child tasks, chunk by
 * chunk, and a step closes when its items are done. Every write is conditional, so doing it twice
 * does nothing.
 *
 * A step can have thousands of items (a project may hold many characters), so it is never expanded
 * in one go: each queue message `{kind: "fanout", id}` creates at most FANOUT_CHUNK_ITEMS items in
 * one short batch and sends the next message, so one big step becomes many short invocations and
 * other tenants' queries run between them. The step records its progress (`task_output.fanout`);
 * the WorkflowRun object closes it only once `done`, and sends the message again if the chain
 * stalls.
 */
export const FANOUT_CHUNK_ITEMS = 100;

type FanoutStepName = Extract<StepName, "character_generation" | "storyboard_generation">;

function isFanoutStep(step: string | null): step is FanoutStepName {
  return step === "character_generation" || step === "storyboard_generation";
}

interface Item {
  ref: string;
  output: Record<string, unknown>;
}

interface ItemPage {
  items: Item[];
  /** Id of the last row read, to continue after. */
  last: number | null;
  /** Fewer rows than a chunk: nothing is left after this page. */
  exhausted: boolean;
}

/**
 * One chunk of the items a fan-out step works on, in row id order after `after`: what has no image
 * yet (or everything but uploads, on request).
 */
async function stepItems(
  ctx: CoreContext,
  wf: WorkflowRow,
  step: FanoutStepName,
  after: number,
): Promise<ItemPage> {
  const options = readOptions(wf.options);
  const project = await findStudioProject(ctx.db, wf.ownerId, wf.projectId);
  if (!project) return { items: [], last: null, exhausted: true };
  const style = options.style ?? "cinematic";
  const wanted = (imageKey: string | null, uploaded: boolean) =>
    !imageKey || (options.regenerate_images === true && !uploaded);
  if (step === "character_generation") {
    const rows = await listCharactersAfter(ctx.db, wf.ownerId, wf.projectId, after, FANOUT_CHUNK_ITEMS);
    const { width, height } = canvasSize("720p", "3:4");
    return {
      items: rows
        .filter((c) => wanted(c.imageKey, c.source === "upload"))
        .map((c) => ({
          ref: itemRef("character", c.id),
          output: { character_id: c.id, name: c.name, description: c.description, style, width, height },
        })),
      last: rows.at(-1)?.id ?? null,
      exhausted: rows.length < FANOUT_CHUNK_ITEMS,
    };
  }
  const rows = await listStoryboardsAfter(ctx.db, wf.ownerId, wf.projectId, after, FANOUT_CHUNK_ITEMS);
  const boards = rows.filter((sb) => wanted(sb.imageKey, sb.imageSource === "upload"));
  const charRows = await findProjectCharacters(ctx.db, wf.ownerId, wf.projectId, [
    ...new Set(boards.flatMap((sb) => sb.characterIds)),
  ]);
  const byId = new Map(charRows.map((c) => [c.id, c]));
  const { width, height } = canvasSize("720p", project.aspectRatio);
  const items: Item[] = [];
  for (const sb of boards) {
    // What an external worker needs to make the image: the scene, its size and style, references.
    const refs = await Promise.all(
      sb.characterIds.map(async (id) => {
        const c = byId.get(id);
        return c ? { id, name: c.name, image_url: await fileUrl(ctx, c.imageKey) } : null;
      }),
    );
    items.push({
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
  return { items, last: rows.at(-1)?.id ?? null, exhausted: rows.length < FANOUT_CHUNK_ITEMS };
}

export type ChunkOutcome =
  | { kind: "more" | "done"; workflowId: number; created: number }
  | { kind: "skipped"; reason: string };

/**
 * Creates the next chunk of a fan-out step's items (the first chunk also starts the step), in one
 * batch guarded by the step's progress: a duplicate delivery, or one after a pause or cancel,
 * writes nothing. `more` means another chunk is due.
 */
export async function expandStepChunk(ctx: CoreContext, stepTaskId: number): Promise<ChunkOutcome> {
  const step = await findFanoutStep(ctx.db, stepTaskId);
  if (!step || !isFanoutStep(step.step)) return { kind: "skipped", reason: "not a fan-out step" };
  // A pending step starts (it has no items yet); a processing one continues where it was.
  const starting = step.status === "pending";
  const continuing = step.status === "processing" && step.fanout !== null && !step.fanout.done;
  if (!starting && !continuing)
    return { kind: "skipped", reason: `the step is ${step.status} and has nothing left to expand` };
  const from = starting ? null : step.fanout;
  const wf = await findWorkflowById(ctx.db, step.workflowId);
  if (wf?.status !== "running" || wf.pipelineProjectId === null)
    return { kind: "skipped", reason: "the workflow is not running" };

  const page = await stepItems(ctx, wf, step.step, from?.after ?? 0);
  const to: FanoutProgress = {
    after: page.last ?? from?.after ?? 0,
    items: (from?.items ?? 0) + page.items.length,
    done: page.exhausted,
    at: ctx.now,
  };
  const specs: TaskSpec[] = page.items.map((item) => ({
    task_type: ITEM_TASK_TYPE[step.step as FanoutStepName],
    workflow_id: wf.id,
    step: step.step,
    parent_task_id: stepTaskId,
    item_ref: item.ref,
    task_output: { ...item.output, workflow_id: wf.id },
  }));
  const project = { id: wf.pipelineProjectId };
  const graph = specs.length > 0 ? await prepareTaskGraph(ctx, wf.ownerId, project, specs) : null;
  try {
    await ctx.db.batch([
      advanceFanoutStatement(ctx.db, stepTaskId, from, to, ctx.now),
      abortUnlessChanged(ctx.db, `fanout:${stepTaskId}`),
      ...(graph ? graph.statements : [rollupProjectStatement(ctx.db, project, ctx.now)]),
    ] as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  } catch (err) {
    if (isGuardAbort(err)) return { kind: "skipped", reason: "the chunk was taken by another delivery" };
    throw err;
  }
  return { kind: to.done ? "done" : "more", workflowId: wf.id, created: page.items.length };
}

/**
 * How far a processing fan-out step's expansion is: `done` once every item exists, `items` how
 * many it created (so a reader can tell it has seen them all), `at` when the last chunk was
 * written. A step that predates chunked expansion got every item when it started (`items` null).
 */
export async function fanoutState(
  ctx: CoreContext,
  stepTaskId: number,
): Promise<{ done: boolean; items: number | null; at: number | null }> {
  const step = await findFanoutStep(ctx.db, stepTaskId);
  if (!step || step.status === "pending" || step.status === "waiting")
    return { done: false, items: null, at: null };
  return step.fanout
    ? { done: step.fanout.done, items: step.fanout.items, at: step.fanout.at }
    : { done: true, items: null, at: null };
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
