import type { Frame, FrameType } from "../../../../contracts/workflow-frames";
import type { StepStatus, WorkflowSnapshot } from "../../../../contracts/workflow-run";
import type { TaskStatus } from "../../../db/schema/automation";
import type { WorkflowStatus, WorkflowType } from "../../../db/schema/studio";
import { iso } from "../../../platform/time";
import type { ItemCounts, StepCatalog } from "../steps/types";

/**
 * The live state of one workflow run: what its Durable Object keeps in storage (as JSON, so the
 * field names are a stored format) and every pure function over it. Nothing here does I/O.
 */
export interface StepState {
  name: string;
  kind: "single" | "fanout";
  taskId: number | null;
  /** Status of the step's own task. */
  status: TaskStatus;
  startedAt: number | null;
  completedAt: number | null;
  error: string | null;
  /** When the run last asked the queue to run the step's task (or its fan-out chain). */
  dispatchedAt: number | null;
  /** How far a single step's outside work is (the export's progress while it renders), 0..1. */
  progressHint?: number;
  /** A fan-out step whose chunked expansion has created all its items (only then can it close). */
  expanded?: boolean;
}

export interface RunState {
  workflowId: number;
  ownerId: number;
  projectId: string;
  workflowType: WorkflowType;
  generator: string;
  status: WorkflowStatus;
  steps: StepState[];
  error: string | null;
  createdAt: number;
  updatedAt: number;
  completedAt: number | null;
  /** Id of the last workflow_events row applied. */
  cursor: number;
  /** Sequence number of the last frame sent. */
  seq: number;
  /** Items of a fan-out step run at once (built-in generator); read from the options once. */
  maxParallel?: number;
  /** The workflow's pipeline project, once linked. */
  pipelineProjectId?: number;
  /** The view last written to D1's workflows row: written again whenever it differs. */
  mirrored?: string;
}

/** A child task (fan-out item) as the run knows it. */
export interface ItemState {
  taskId: number;
  step: string;
  status: TaskStatus;
  itemRef: string | null;
  error: string | null;
  /** When the run last asked the queue to run it (built-in generator). */
  dispatchedAt: number | null;
}

/** One row of workflow_events: a task of the workflow was created or changed status. */
export interface TaskEvent {
  id: number;
  taskId: number;
  step: string | null;
  parentTaskId: number | null;
  itemRef: string | null;
  oldStatus: string | null;
  newStatus: string;
  errorMessage: string | null;
  at: number;
}

/** A frame before the run numbers it. */
export type FrameDraft = { type: FrameType } & Record<string, unknown>;

export function initialState(
  w: {
    id: number;
    ownerId: number;
    projectId: string;
    workflowType: WorkflowType;
    generator: string;
    status: WorkflowStatus;
    error: string | null;
    createdAt: number;
    updatedAt: number;
    completedAt: number | null;
  },
  steps: readonly string[],
  catalog: StepCatalog,
): RunState {
  return {
    workflowId: w.id,
    ownerId: w.ownerId,
    projectId: w.projectId,
    workflowType: w.workflowType,
    generator: w.generator,
    status: w.status,
    steps: steps.map((name) => ({
      name,
      kind: catalog(name)?.kind ?? "single",
      taskId: null,
      status: "waiting",
      startedAt: null,
      completedAt: null,
      error: null,
      dispatchedAt: null,
    })),
    error: w.error,
    createdAt: w.createdAt,
    updatedAt: w.updatedAt,
    completedAt: w.completedAt,
    cursor: 0,
    seq: 0,
  };
}

export function isLive(state: RunState): boolean {
  return state.status === "running" || state.status === "paused";
}

export function countItems(items: Iterable<ItemState>, step: string): ItemCounts {
  const c: ItemCounts = {
    total: 0,
    waiting: 0,
    pending: 0,
    processing: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
  };
  for (const item of items) {
    if (item.step !== step) continue;
    c.total++;
    c[item.status]++;
  }
  return c;
}

/** How far a step is, 0..1: fan-out steps by their items, single steps by their task. */
function stepFraction(step: StepState, counts: ItemCounts, catalog: StepCatalog): number {
  if (step.status === "completed") return 1;
  if (step.kind === "fanout") return counts.total > 0 ? counts.completed / counts.total : 0;
  const guess = catalog(step.name)?.progressGuess ?? 0.5;
  return step.status === "processing" ? Math.max(0.05, Math.min(0.95, step.progressHint ?? guess)) : 0;
}

export function progressOf(state: RunState, items: Iterable<ItemState>, catalog: StepCatalog): number {
  const list = [...items];
  const sum = state.steps.reduce((acc, s) => acc + stepFraction(s, countItems(list, s.name), catalog), 0);
  return Math.round((sum / Math.max(1, state.steps.length)) * 1000) / 1000;
}

/** The first step not yet completed; the last step once all are. */
export function currentStepOf(state: RunState): string | null {
  return (state.steps.find((s) => s.status !== "completed") ?? state.steps.at(-1))?.name ?? null;
}

/** What the workflows row in D1 mirrors: written again whenever it changes. */
export function mirrorOf(state: RunState, items: Iterable<ItemState>, catalog: StepCatalog) {
  return {
    status: state.status,
    currentStep: currentStepOf(state),
    progress: progressOf(state, items, catalog),
    error: state.error,
    completedAt: state.completedAt,
  };
}

const STEP_STATUS: Record<TaskStatus, StepStatus> = {
  waiting: "pending",
  pending: "pending",
  processing: "running",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
};

export function isTaskStatus(s: string | null): s is TaskStatus {
  return s !== null && s in STEP_STATUS;
}

/** Gives drafts their sequence numbers (and the run's view where they carry none of their own). */
export function numberFrames(
  state: RunState,
  items: Iterable<ItemState>,
  drafts: readonly FrameDraft[],
  catalog: StepCatalog,
  now: number,
): Frame[] {
  if (drafts.length === 0) return [];
  const view = {
    status: state.status,
    progress: progressOf(state, items, catalog),
    current_step: currentStepOf(state),
  };
  return drafts.map((d) => {
    state.seq += 1;
    return { ...view, ...d, seq: state.seq, workflow_id: state.workflowId, timestamp: iso(now) } as Frame;
  });
}

export function snapshotOf(
  state: RunState,
  items: Iterable<ItemState>,
  catalog: StepCatalog,
): WorkflowSnapshot {
  const list = [...items];
  return {
    id: state.workflowId,
    project_id: state.projectId,
    workflow_type: state.workflowType,
    generator: state.generator,
    status: state.status,
    current_step: currentStepOf(state),
    progress: progressOf(state, list, catalog),
    error: state.error,
    steps: state.steps.map((s) => {
      const c = countItems(list, s.name);
      const own = (st: TaskStatus) => (s.status === st ? 1 : 0);
      return {
        name: s.name,
        status: STEP_STATUS[s.status],
        started_at: iso(s.startedAt),
        completed_at: iso(s.completedAt),
        error: s.error,
        items:
          s.kind === "single"
            ? {
                total: 1,
                pending: own("waiting") + own("pending"),
                processing: own("processing"),
                completed: own("completed"),
                failed: own("failed"),
                cancelled: own("cancelled"),
              }
            : {
                total: c.total,
                pending: c.waiting + c.pending,
                processing: c.processing,
                completed: c.completed,
                failed: c.failed,
                cancelled: c.cancelled,
              },
      };
    }),
    created_at: iso(state.createdAt),
    updated_at: iso(state.updatedAt),
    completed_at: iso(state.completedAt),
    last_seq: state.seq,
  };
}

/** The frame a socket opens with when it cannot be given a replay. */
export function snapshotFrame(
  state: RunState,
  items: Iterable<ItemState>,
  catalog: StepCatalog,
  now: number,
): Frame {
  const workflow = snapshotOf(state, items, catalog);
  return {
    type: "snapshot",
    seq: state.seq,
    workflow_id: state.workflowId,
    status: state.status,
    progress: workflow.progress,
    current_step: workflow.current_step,
    timestamp: iso(now),
    workflow,
  };
}
