import { runBatch } from "../../db/client";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import { rollupProjectStatement } from "../../db/queries/tasks";
import { advanceFanoutStatement, type FanoutProgress, findFanoutStep } from "../../db/queries/workflow-tasks";
import { findWorkflowById } from "../../db/queries/workflows";
import type { AppContext } from "../context";
import { prepareTaskGraph, type TaskSpec } from "../tasks/engine";
import { stepOf } from "./steps";

/**
 * A fan-out step's items become child tasks, chunk by chunk. A step can have thousands of items
 * (a project may hold many characters), so it is never expanded in one go: each queue message
 * `{kind: "fanout", id}` creates at most FANOUT_CHUNK_ITEMS items in one short batch and sends the
 * next message, so one big step becomes many short invocations and other tenants' queries run
 * between them. The step records its progress (`task_output.fanout`); the run closes it only once
 * `done`, and sends the message again if the chain stalls. Every write is conditional, so a chunk
 * delivered twice does nothing.
 */
export const FANOUT_CHUNK_ITEMS = 100;

type ChunkOutcome =
  | { kind: "more" | "done"; workflowId: number; created: number }
  | { kind: "skipped"; reason: string };

/**
 * Creates the next chunk of a fan-out step's items (the first chunk also starts the step), in one
 * batch guarded by the step's progress: a duplicate delivery, or one after a pause or cancel,
 * writes nothing. `more` means another chunk is due.
 */
export async function expandStepChunk(ctx: AppContext, stepTaskId: number): Promise<ChunkOutcome> {
  const step = await findFanoutStep(ctx.db, stepTaskId);
  const def = stepOf(step?.step);
  if (!step || def?.kind !== "fanout") return { kind: "skipped", reason: "not a fan-out step" };
  // A pending step starts (it has no items yet); a processing one continues where it was.
  const starting = step.status === "pending";
  const continuing = step.status === "processing" && step.fanout !== null && !step.fanout.done;
  if (!starting && !continuing)
    return { kind: "skipped", reason: `the step is ${step.status} and has nothing left to expand` };
  const from = starting ? null : step.fanout;
  const wf = await findWorkflowById(ctx.db, step.workflowId);
  if (wf?.status !== "running" || wf.pipelineProjectId === null)
    return { kind: "skipped", reason: "the workflow is not running" };

  const page = await def.items.plan(ctx, wf, from?.after ?? 0, FANOUT_CHUNK_ITEMS);
  const to: FanoutProgress = {
    after: page.last ?? from?.after ?? 0,
    items: (from?.items ?? 0) + page.items.length,
    done: page.exhausted,
    at: ctx.now,
  };
  const specs: TaskSpec[] = page.items.map((item) => ({
    task_type: def.items.taskType,
    workflow_id: wf.id,
    step: def.name,
    parent_task_id: stepTaskId,
    item_ref: item.ref,
    task_output: { ...item.output, workflow_id: wf.id },
  }));
  const project = { id: wf.pipelineProjectId };
  const graph = specs.length > 0 ? await prepareTaskGraph(ctx, wf.ownerId, project, specs) : null;
  try {
    await runBatch(ctx.db, [
      advanceFanoutStatement(ctx.db, stepTaskId, from, to, ctx.now),
      abortUnlessChanged(ctx.db, `fanout:${stepTaskId}`),
      ...(graph ? graph.statements : [rollupProjectStatement(ctx.db, project, ctx.now)]),
    ]);
  } catch (err) {
    if (isGuardAbort(err)) return { kind: "skipped", reason: "the chunk was taken by another delivery" };
    throw err;
  }
  return { kind: to.done ? "done" : "more", workflowId: wf.id, created: page.items.length };
}
