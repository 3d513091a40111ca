import type { Frame } from "../../../../contracts/workflow-frames";
import type {
  ControlAction,
  ControlResult,
  ExportProgress,
  WorkflowSnapshot,
} from "../../../../contracts/workflow-run";
import { dbOf } from "../../../db/client";
import { isGuardAbort } from "../../../db/guard";
import { controlWorkflowStatements } from "../../../db/queries/workflow-control";
import { findWorkflowById } from "../../../db/queries/workflows";
import { cancelWorkflowExports } from "../../exports/cancel";
import { readOptions } from "../options";
import { RENDER_STEP, stepCatalog, templateOf } from "../steps";
import { applyControl, changedMeanwhile, NOT_FOUND, planControl } from "./control";
import type { RunHost } from "./host";
import { Run } from "./pass";
import { DEFAULT_MAX_PARALLEL } from "./policy";
import { type FrameDraft, initialState, isLive, type RunState, snapshotFrame, snapshotOf } from "./state";

export type { RunHost, RunMemory } from "./host";
export type { ItemState, RunState } from "./state";

/**
 * The one entry of a workflow run, called by its host (the WorkflowRun Durable Object) for every
 * RPC, socket opening and alarm, under the host's lock — the way `queue()` and `scheduled()` call
 * their core functions. Everything that moves a workflow on is decided below this function.
 */
export type RunCall =
  | { kind: "start" | "poke"; workflowId: number }
  | { kind: "alarm" }
  | { kind: "snapshot"; workflowId: number }
  | { kind: "control"; workflowId: number; action: ControlAction; reason?: string }
  | { kind: "export_progress"; workflowId: number; progress: ExportProgress }
  | { kind: "open"; workflowId: number; ownerId: number; lastSeq: number | null };

interface Answers {
  start: undefined;
  poke: undefined;
  alarm: undefined;
  snapshot: WorkflowSnapshot | null;
  control: ControlResult;
  export_progress: undefined;
  /** The frames a new socket opens with (a replay, or a snapshot); null: not this owner's workflow. */
  open: Frame[] | null;
}

export async function runWorkflow<C extends RunCall>(host: RunHost, call: C): Promise<Answers[C["kind"]]> {
  return (await dispatch(host, call)) as Answers[C["kind"]];
}

async function dispatch(host: RunHost, call: RunCall): Promise<Answers[RunCall["kind"]]> {
  const state = call.kind === "alarm" ? host.memory.state : await ensure(host, call.workflowId);
  if (!state)
    return call.kind === "control"
      ? NOT_FOUND
      : call.kind === "snapshot" || call.kind === "open"
        ? null
        : undefined;
  const run = new Run(host, state);
  switch (call.kind) {
    case "start":
    case "poke":
    case "alarm":
      await run.advance();
      return undefined;
    case "snapshot":
      await run.advance();
      return snapshotOf(state, run.items.values(), stepCatalog);
    case "control":
      return control(run, call.action, call.reason);
    case "export_progress":
      exportProgress(run, call.progress);
      return undefined;
    case "open":
      if (state.ownerId !== call.ownerId) return null;
      await run.advance();
      return opening(run, call.lastSeq);
  }
}

/** The run's state, made from the workflow's row the first time its object hears of it. */
async function ensure(host: RunHost, workflowId: number): Promise<RunState | null> {
  const known = host.memory.state;
  if (known && known.maxParallel !== undefined && known.pipelineProjectId !== undefined) return known;
  const row = await findWorkflowById(dbOf(host.env.DB), workflowId);
  if (!row) return known;
  const state = known ?? initialState(row, templateOf(row.workflowType).steps, stepCatalog);
  // Fixed at creation, so read once (a run stored before these were kept reads them now).
  state.maxParallel = readOptions(row.options).max_parallel ?? DEFAULT_MAX_PARALLEL;
  if (row.pipelineProjectId !== null) state.pipelineProjectId = row.pipelineProjectId;
  host.memory.state = state;
  host.persist(state, [], []);
  return state;
}

async function control(run: Run, action: ControlAction, reason?: string): Promise<ControlResult> {
  const { state } = run;
  await run.drain();
  const plan = planControl(state, action);
  if (plan.kind === "answer") {
    if (plan.result.code === 200) await run.advance();
    else await run.finish();
    return plan.result;
  }
  try {
    await run.db.batch(
      controlWorkflowStatements(run.db, action, {
        workflowId: state.workflowId,
        pipelineProjectId: state.pipelineProjectId ?? null,
        allowedFrom: plan.allowedFrom,
        now: run.now,
      }),
    );
  } catch (err) {
    if (!isGuardAbort(err)) throw err;
    await run.finish();
    return changedMeanwhile(state);
  }
  const applied = applyControl(state, run.items, action, run.now, reason);
  run.markDirty(applied.dirty);
  if (action === "cancel") {
    // The object settles its own exports: a poke back would wait on this very lock.
    await cancelWorkflowExports(run.core(), state.workflowId);
    await run.drain();
  }
  run.commit(applied.drafts);
  await run.advance();
  return applied.result;
}

/** A render's progress: an `export_progress` frame, and the render step's progress hint. */
function exportProgress(run: Run, p: ExportProgress): void {
  const { state } = run;
  if (!isLive(state)) return;
  const step = state.steps.find((s) => s.name === RENDER_STEP);
  if (step) step.progressHint = Math.max(step.progressHint ?? 0, p.progress);
  const draft: FrameDraft = {
    type: "export_progress",
    step: RENDER_STEP,
    export_id: p.export_id,
    export_progress: p.progress,
    stage: p.stage,
    ...(p.eta_seconds !== undefined ? { eta_seconds: p.eta_seconds } : {}),
    message:
      p.stage === "waiting"
        ? "Waiting for the renderer (it is not answering; retrying)"
        : `Rendering video ${Math.round(p.progress * 100)}% (${p.stage})`,
  };
  run.commit([draft]);
}

/** Frames after `lastSeq` if they are all still kept; otherwise (or without one) a snapshot. */
function opening(run: Run, lastSeq: number | null): Frame[] {
  const { state } = run;
  if (lastSeq !== null) {
    if (lastSeq >= state.seq) return [];
    const replayed = run.host.replay(lastSeq);
    if (replayed) return replayed;
  }
  return [snapshotFrame(state, run.items.values(), stepCatalog, run.host.clock())];
}
