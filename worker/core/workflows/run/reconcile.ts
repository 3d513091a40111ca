import type { JobMessage } from "../../../../contracts/job-messages";
import type { StepCatalog } from "../steps/types";
import { DEFAULT_MAX_PARALLEL, REDISPATCH_PENDING_MS, STALE_PROCESSING_MS } from "./policy";
import { countItems, type ItemState, type RunState, type StepState } from "./state";

/** How far a processing fan-out step's chunked expansion is, as its task records it. */
export interface FanoutFacts {
  /** Every item exists. */
  done: boolean;
  /** How many items it created (null: a step from before chunking, which made them all at once). */
  items: number | null;
  /** When the last chunk was written. */
  at: number | null;
}

/** A step to complete (error null) or fail, once its items are all done. */
export interface StepClose {
  stepTaskId: number;
  error: string | null;
}

interface Decisions {
  dispatches: JobMessage[];
  closes: StepClose[];
  /** Items whose dispatch time changed (to persist). */
  dirty: number[];
}

/**
 * Fan-out steps whose expansion the run must know about before it can decide: the processing ones
 * not yet expanded, and with `orStarting` the pending ones too (their first chunk may be among the
 * events about to be read).
 */
export function stepsAwaitingExpansion(state: RunState, orStarting = false): number[] {
  return state.steps
    .filter(
      (s) =>
        s.kind === "fanout" &&
        s.taskId !== null &&
        !s.expanded &&
        (s.status === "processing" || (orStarting && s.status === "pending")),
    )
    .map((s) => s.taskId as number);
}

const longAgo = (now: number, at: number | null | undefined) =>
  at === null || at === undefined || now - at > REDISPATCH_PENDING_MS;

/**
 * What moves a running workflow on, decided from its state alone: which tasks and fan-out chains
 * to dispatch (again, when a dispatch left no trace for a while), and which fan-out steps to close.
 * A fan-out step's items are created in chunks by queue messages, never here: this stays short
 * however many items there are. Dispatch times are recorded in `state` and `items` in place.
 */
export function reconcile(
  state: RunState,
  items: Map<number, ItemState>,
  facts: { now: number; fanout: ReadonlyMap<number, FanoutFacts> },
  catalog: StepCatalog,
): Decisions {
  const out: Decisions = { dispatches: [], closes: [], dirty: [] };
  if (state.status !== "running") return out;
  const { now } = facts;
  for (const step of state.steps) {
    if (step.taskId === null) continue;
    if (step.kind === "single") {
      const due =
        (step.status === "pending" && longAgo(now, step.dispatchedAt)) ||
        (step.status === "processing" &&
          step.dispatchedAt !== null &&
          now - step.dispatchedAt > STALE_PROCESSING_MS);
      if (due) {
        out.dispatches.push({ kind: "task", id: step.taskId });
        step.dispatchedAt = now;
      }
      continue;
    }
    // A pending fan-out step starts its chunk chain (and starts it again if it stalled).
    if (step.status === "pending") {
      if (longAgo(now, step.dispatchedAt)) {
        out.dispatches.push({ kind: "fanout", id: step.taskId });
        step.dispatchedAt = now;
      }
      continue;
    }
    if (step.status !== "processing") continue;
    const counts = countItems(items.values(), step.name);
    if (!step.expanded) expansion(step, counts.total, facts.fanout.get(step.taskId), now, out);
    if (step.expanded && counts.waiting + counts.pending + counts.processing === 0) {
      out.closes.push({ stepTaskId: step.taskId, error: closeError(step, items, counts.total, catalog) });
      continue;
    }
    if (state.generator === "builtin")
      dispatchItems(step, items, state.maxParallel ?? DEFAULT_MAX_PARALLEL, now, out);
  }
  return out;
}

/** Done, and every item it created has reached the run (their events may still be on the way)? */
function expansion(
  step: StepState,
  seen: number,
  fanout: FanoutFacts | undefined,
  now: number,
  out: Decisions,
) {
  if (!fanout || step.taskId === null) return;
  if (fanout.done && seen >= (fanout.items ?? 0)) step.expanded = true;
  else if (
    !fanout.done &&
    (step.dispatchedAt === null || (longAgo(now, step.dispatchedAt) && longAgo(now, fanout.at)))
  ) {
    out.dispatches.push({ kind: "fanout", id: step.taskId });
    step.dispatchedAt = now;
  }
}

function closeError(step: StepState, items: Map<number, ItemState>, total: number, catalog: StepCatalog) {
  const failed = [...items.values()].filter((i) => i.step === step.name && i.status === "failed");
  if (failed.length === 0) return null;
  const plural = catalog(step.name)?.plural ?? "items";
  return `${failed.length} of ${total} ${plural} failed: ${failed[0]?.error ?? "no reason given"}`;
}

/** Built-in generator: pending items go to the executor, at most `cap` at once; stalled ones again. */
function dispatchItems(
  step: StepState,
  items: Map<number, ItemState>,
  cap: number,
  now: number,
  out: Decisions,
) {
  const mine = [...items.values()].filter((i) => i.step === step.name);
  let inFlight = mine.filter(
    (i) =>
      i.status === "processing" ||
      (i.status === "pending" && i.dispatchedAt !== null && now - i.dispatchedAt < REDISPATCH_PENDING_MS),
  ).length;
  for (const item of mine) {
    const stale =
      item.status === "processing" &&
      item.dispatchedAt !== null &&
      now - item.dispatchedAt > STALE_PROCESSING_MS;
    const ready =
      item.status === "pending" &&
      (item.dispatchedAt === null || now - item.dispatchedAt >= REDISPATCH_PENDING_MS);
    if (stale || (ready && inFlight < cap)) {
      out.dispatches.push({ kind: "task", id: item.taskId });
      item.dispatchedAt = now;
      out.dirty.push(item.taskId);
      if (ready) inFlight++;
    }
  }
}
