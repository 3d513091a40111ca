import {
  type ItemState,
  initialState,
  type RunState,
  type TaskEvent,
} from "../../../worker/core/workflows/run/state";
import type { StepCatalog, StepInfo } from "../../../worker/core/workflows/steps/types";

/** Steps as the run's state machine sees them: shapes and messages, no work. */
const STEPS: Record<string, StepInfo> = {
  parse: { name: "parse", kind: "single", noun: "script", plural: "scripts" },
  draw: {
    name: "draw",
    kind: "fanout",
    noun: "card",
    plural: "cards",
    progressMessage: (c) => `Drawing card ${Math.min(c.completed + c.processing, c.total)}/${c.total}`,
  },
  render: { name: "render", kind: "single", noun: "video", plural: "videos", progressGuess: 0 },
};

export const catalog: StepCatalog = (name) => (name ? STEPS[name] : undefined);

export const T0 = Date.UTC(2026, 1, 8, 10, 0, 0);

export function newRun(
  steps: string[] = ["parse", "draw", "render"],
  over: Partial<RunState> = {},
): { state: RunState; items: Map<number, ItemState> } {
  const state = initialState(
    {
      id: 7,
      ownerId: 3,
      projectId: "p-1",
      workflowType: "full_production",
      generator: "builtin",
      status: "running",
      error: null,
      createdAt: T0,
      updatedAt: T0,
      completedAt: null,
    },
    steps,
    catalog,
  );
  return { state: Object.assign(state, over), items: new Map() };
}

let nextEvent = 1;

/** A workflow_events row: task `taskId` of `step` moved to `to` (a child of `parent` when given). */
export function ev(
  taskId: number,
  step: string,
  to: string,
  opts: { parent?: number; ref?: string; error?: string; at?: number } = {},
): TaskEvent {
  return {
    id: nextEvent++,
    taskId,
    step,
    parentTaskId: opts.parent ?? null,
    itemRef: opts.ref ?? null,
    oldStatus: null,
    newStatus: to,
    errorMessage: opts.error ?? null,
    at: opts.at ?? T0,
  };
}
