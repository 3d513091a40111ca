import type { StepCatalog } from "../steps/types";
import {
  countItems,
  currentStepOf,
  type FrameDraft,
  type ItemState,
  isLive,
  isTaskStatus,
  progressOf,
  type RunState,
  type TaskEvent,
} from "./state";

/**
 * Applies one task change to the run. Returns the frames it causes; `state` and `items` are
 * updated in place. Workflow-level outcomes (completed, failed) are decided here too, from the
 * steps. Events are applied in the order of the events table, each once (the cursor).
 */
export function applyEvent(
  state: RunState,
  items: Map<number, ItemState>,
  ev: TaskEvent,
  catalog: StepCatalog,
): FrameDraft[] {
  state.cursor = Math.max(state.cursor, ev.id);
  const info = catalog(ev.step);
  if (!info || !isTaskStatus(ev.newStatus)) return [];
  const step = state.steps.find((s) => s.name === ev.step);
  if (!step) return [];
  const frames: FrameDraft[] = [];
  const live = isLive(state);

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
      if (live)
        frames.push({
          type: "step_completed",
          step: step.name,
          items: countItems(items.values(), step.name),
        });
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
      frames.push({
        type: "progress_update",
        message:
          ev.newStatus === "completed"
            ? `${counts.completed}/${counts.total} ${info.plural} done`
            : `A ${info.noun} failed (${counts.failed} of ${counts.total}): ${ev.errorMessage ?? "no reason given"}`,
        step: step.name,
        items: counts,
      });
    } else if (live && ev.newStatus === "processing" && prev?.status !== "processing") {
      const counts = countItems(items.values(), step.name);
      frames.push({
        type: "progress_update",
        message: info.progressMessage?.(counts) ?? `${info.noun} ${counts.completed}/${counts.total}`,
        step: step.name,
        items: counts,
      });
    }
  }

  state.updatedAt = Math.max(state.updatedAt, ev.at);
  // Each frame tells the state right after its event, even when several events are applied together.
  const view = () => ({
    status: state.status,
    progress: progressOf(state, items.values(), catalog),
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
