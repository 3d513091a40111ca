import {
  ITEM_NOUN,
  isStepName,
  STEP_KIND,
  type StepKind,
  type StepName,
  TEMPLATES,
} from "../../worker/core/workflows/templates";
import type { TaskStatus } from "../../worker/db/schema/automation";
import type { WorkflowStatus, WorkflowType } from "../../worker/db/schema/studio";

/**
 * The live state of one workflow and how each task change moves it (pure, so it is tested without
 * a Durable Object). The object keeps this in its storage; the frames it returns are what sockets
 * receive, in order.
 */
export interface StepState {
  name: StepName;
  kind: StepKind;
  taskId: number | null;
  /** Status of the step's own task. */
  status: TaskStatus;
  startedAt: number | null;
  completedAt: number | null;
  error: string | null;
  /** When the object last asked the queue to run the step's task (single steps). */
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
}

/** A child task (fan-out item) as the object knows it. */
export interface ItemState {
  taskId: number;
  step: StepName;
  status: TaskStatus;
  itemRef: string | null;
  error: string | null;
  /** When the object last asked the queue to run it (built-in generator). */
  dispatchedAt: number | null;
}

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

export interface ItemCounts {
  total: number;
  waiting: number;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** A frame before the object numbers it. */
export type FrameDraft = { type: string } & Record<string, unknown>;

export function initialState(w: {
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
}): RunState {
  return {
    workflowId: w.id,
    ownerId: w.ownerId,
    projectId: w.projectId,
    workflowType: w.workflowType,
    generator: w.generator,
    status: w.status,
    steps: TEMPLATES[w.workflowType].map((name) => ({
      name,
      kind: STEP_KIND[name],
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

export function countItems(items: Iterable<ItemState>, step: StepName): ItemCounts {
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
function stepFraction(step: StepState, counts: ItemCounts): number {
  if (step.status === "completed") return 1;
  if (step.kind === "fanout") return counts.total > 0 ? counts.completed / counts.total : 0;
  // A render reports its own progress, so it starts from nothing rather than a guess of half-way
  // (which its first real report would then move backwards).
  const guess = step.name === "video_rendering" ? 0 : 0.5;
  return step.status === "processing" ? Math.max(0.05, Math.min(0.95, step.progressHint ?? guess)) : 0;
}

export function progressOf(state: RunState, items: Iterable<ItemState>): number {
  const list = [...items];
  const sum = state.steps.reduce((acc, s) => acc + stepFraction(s, countItems(list, s.name)), 0);
  return Math.round((sum / Math.max(1, state.steps.length)) * 1000) / 1000;
}

/** The first step not yet completed; the last step once all are. */
export function currentStepOf(state: RunState): StepName | null {
  return (state.steps.find((s) => s.status !== "completed") ?? state.steps.at(-1))?.name ?? null;
}

const STEP_STATUS: Record<TaskStatus, "pending" | "running" | "completed" | "failed" | "cancelled"> = {
  waiting: "pending",
  pending: "pending",
  processing: "running",
  completed: "completed",
  failed: "failed",
  cancelled: "cancelled",
};

export function stepStatus(step: StepState): (typeof STEP_STATUS)[TaskStatus] {
  return STEP_STATUS[step.status];
}

function isTaskStatus(s: string | null): s is TaskStatus {
  return s !== null && s in STEP_STATUS;
}

function itemMessage(step: StepName, counts: ItemCounts): string {
  const noun = ITEM_NOUN[step];
  const verb =
    step === "character_generation" || step === "storyboard_generation" ? "Generating" : "Processing";
  return `${verb} ${noun} ${Math.min(counts.completed + counts.processing, counts.total)}/${counts.total}`;
}

/**
 * Applies one task change. Returns the frames it causes; `state` and `items` are updated in place.
 * Workflow-level outcomes (completed, failed) are decided here too, from the steps.
 */
export function applyEvent(state: RunState, items: Map<number, ItemState>, ev: TaskEvent): FrameDraft[] {
  state.cursor = Math.max(state.cursor, ev.id);
  if (!isStepName(ev.step) || !isTaskStatus(ev.newStatus)) return [];
  const step = state.steps.find((s) => s.name === ev.step);
  if (!step) return [];
  const frames: FrameDraft[] = [];
  const live = state.status === "running" || state.status === "paused";

  if (ev.parentTaskId === null) {
    step.taskId = ev.taskId;
    const from = step.status;
    step.status = ev.newStatus;
    if (ev.newStatus === "processing" && from !== "processing") {
      if (step.startedAt === null) {
        step.startedAt = ev.at;
        if (live)
          frames.push({ type: "step_started", step: step.name, message: `Step ${step.name} started` });
      }
    } else if (ev.newStatus === "completed") {
      step.completedAt = ev.at;
      step.error = null;
      if (live) {
        frames.push({
          type: "step_completed",
          step: step.name,
          items: countItems(items.values(), step.name),
        });
      }
    } else if (ev.newStatus === "failed") {
      step.error = ev.errorMessage ?? "The step failed";
      if (live) {
        frames.push({ type: "step_failed", step: step.name, error: step.error });
        state.status = "failed";
        state.error = `${step.name}: ${step.error}`;
        frames.push({ type: "workflow_failed", step: step.name, error: state.error });
      }
    } else if (ev.newStatus === "pending" || ev.newStatus === "waiting") {
      step.completedAt = null;
      step.error = null;
      step.dispatchedAt = null;
      step.expanded = false;
    }
  } else {
    const prev = items.get(ev.taskId);
    items.set(ev.taskId, {
      taskId: ev.taskId,
      step: step.name,
      status: ev.newStatus,
      itemRef: ev.itemRef ?? prev?.itemRef ?? null,
      error: ev.newStatus === "failed" ? (ev.errorMessage ?? "failed") : null,
      // A task that went back to pending needs dispatching again.
      dispatchedAt:
        ev.newStatus === "pending" && prev?.status !== "pending" ? null : (prev?.dispatchedAt ?? null),
    });
    if (live && (ev.newStatus === "completed" || ev.newStatus === "failed")) {
      const counts = countItems(items.values(), step.name);
      const noun = ITEM_NOUN[step.name];
      frames.push({
        type: "progress_update",
        message:
          ev.newStatus === "completed"
            ? `${counts.completed}/${counts.total} ${noun}s done`
            : `A ${noun} failed (${counts.failed} of ${counts.total}): ${ev.errorMessage ?? "no reason given"}`,
        step: step.name,
        items: counts,
      });
    } else if (live && ev.newStatus === "processing" && prev?.status !== "processing") {
      const counts = countItems(items.values(), step.name);
      frames.push({
        type: "progress_update",
        message: itemMessage(step.name, counts),
        step: step.name,
        items: counts,
      });
    }
  }

  state.updatedAt = Math.max(state.updatedAt, ev.at);
  // Each frame tells the state right after its event, even when several events are applied together.
  const view = () => ({
    status: state.status,
    progress: progressOf(state, items.values()),
    current_step: currentStepOf(state),
  });
  const out: FrameDraft[] = frames.map((f) => ({ ...view(), ...f }));
  if (live && state.status === "running" && state.steps.every((s) => s.status === "completed")) {
    state.status = "completed";
    state.completedAt = ev.at;
    out.push({ ...view(), type: "workflow_completed", message: "Workflow completed" });
  }
  return out;
}
