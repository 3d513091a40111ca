import type { ControlAction, ControlResult } from "../../../../contracts/workflow-run";
import { currentStepOf, type FrameDraft, type ItemState, type RunState } from "./state";

/**
 * Pause, resume, cancel and retry, decided from the run's state. A control either answers at once
 * (already so, or refused) or needs its write in D1 — guarded by the workflow's status, so a race
 * with another control refuses instead of applying twice — and is then applied to the run.
 */
type ControlPlan =
  | { kind: "answer"; result: ControlResult }
  | { kind: "write"; action: ControlAction; allowedFrom: RunState["status"][] };

const OK: Record<ControlAction, ControlResult> = {
  pause: { code: 200, status: "paused", message: "Workflow paused successfully" },
  resume: { code: 200, status: "running", message: "Workflow resumed successfully" },
  cancel: { code: 200, status: "cancelled", message: "Workflow cancelled successfully" },
  retry: { code: 200, status: "running", message: "Workflow retry started" },
};

export const NOT_FOUND: ControlResult = { code: 404, status: "unknown", message: "Workflow not found" };

export function changedMeanwhile(state: RunState): ControlResult {
  return { code: 409, status: state.status, message: "The workflow changed meanwhile; try again" };
}

export function planControl(state: RunState, action: ControlAction): ControlPlan {
  const refuse = (message: string): ControlPlan => ({
    kind: "answer",
    result: { code: 409, status: state.status, message },
  });
  const finished = state.status === "completed" || state.status === "failed" || state.status === "cancelled";
  switch (action) {
    case "pause":
      if (state.status === "paused") return { kind: "answer", result: OK.pause };
      if (finished) return refuse(`The workflow is ${state.status}; only a running workflow can be paused`);
      return { kind: "write", action, allowedFrom: ["running"] };
    case "resume":
      if (state.status === "running") return { kind: "answer", result: OK.resume };
      if (state.status !== "paused")
        return refuse(`The workflow is ${state.status}; only a paused workflow can be resumed`);
      return { kind: "write", action, allowedFrom: ["paused"] };
    case "cancel":
      if (state.status === "cancelled") return { kind: "answer", result: OK.cancel };
      if (state.status === "completed")
        return refuse("The workflow has completed; there is nothing to cancel");
      return { kind: "write", action, allowedFrom: ["running", "paused", "failed"] };
    case "retry":
      if (state.status !== "failed")
        return refuse(`The workflow is ${state.status}; only a failed workflow can be retried`);
      return { kind: "write", action, allowedFrom: ["failed"] };
  }
}

/**
 * The run after its control's write committed: the new status, what must be dispatched again, and
 * the frame that tells it (for a cancel, sent after the cancelled tasks' events are applied).
 */
export function applyControl(
  state: RunState,
  items: Map<number, ItemState>,
  action: ControlAction,
  now: number,
  reason?: string,
): { result: ControlResult; drafts: FrameDraft[]; dirty: number[] } {
  switch (action) {
    case "pause":
      state.status = "paused";
      // A pause the run decided (its max_credits) says why until it is resumed.
      if (reason) state.error = reason;
      return {
        result: OK.pause,
        drafts: [
          {
            type: "workflow_paused",
            message: reason
              ? `Workflow paused: ${reason}`
              : "Workflow paused: running items finish, nothing new starts",
          },
        ],
        dirty: [],
      };
    case "resume":
      state.status = "running";
      state.error = null;
      return {
        result: OK.resume,
        drafts: [{ type: "workflow_resumed", message: "Workflow resumed" }],
        dirty: redispatchAll(state, items),
      };
    case "cancel":
      // The cancellations arrive as events; in a cancelled workflow they change counts, not frames.
      state.status = "cancelled";
      state.completedAt = now;
      return {
        result: OK.cancel,
        drafts: [{ type: "workflow_cancelled", message: "Workflow cancelled" }],
        dirty: [],
      };
    case "retry": {
      const from = state.steps.find((s) => s.status === "failed")?.name ?? currentStepOf(state);
      state.status = "running";
      state.error = null;
      state.completedAt = null;
      // A retried render is a new export: its progress starts again.
      for (const step of state.steps) if (step.status !== "completed") step.progressHint = undefined;
      return {
        result: OK.retry,
        drafts: [{ type: "workflow_resumed", message: `Retrying from ${from}`, step: from }],
        dirty: [],
      };
    }
  }
}

/** After a resume, everything pending is dispatched again at once. */
function redispatchAll(state: RunState, items: Map<number, ItemState>): number[] {
  const dirty: number[] = [];
  for (const item of items.values()) {
    if (item.status === "pending" && item.dispatchedAt !== null) {
      item.dispatchedAt = null;
      dirty.push(item.taskId);
    }
  }
  // A fan-out step whose chunk chain stopped at the pause continues at once.
  for (const step of state.steps)
    if (step.status === "pending" || (step.kind === "fanout" && !step.expanded)) step.dispatchedAt = null;
  return dirty;
}
