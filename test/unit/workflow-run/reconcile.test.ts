import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../worker/core/workflows/run/events";
import { REDISPATCH_PENDING_MS, STALE_PROCESSING_MS } from "../../../worker/core/workflows/run/policy";
import {
  type FanoutFacts,
  reconcile,
  stepsAwaitingExpansion,
} from "../../../worker/core/workflows/run/reconcile";
import { catalog, ev, newRun, T0 } from "./fixtures";

/** What moves a running workflow on, decided from its state: dispatches and closes, no I/O. */
function at(run: ReturnType<typeof newRun>, now: number, fanout: Record<number, FanoutFacts> = {}) {
  return reconcile(
    run.state,
    run.items,
    { now, fanout: new Map(Object.entries(fanout).map(([k, v]) => [Number(k), v])) },
    catalog,
  );
}

function apply(run: ReturnType<typeof newRun>, events: ReturnType<typeof ev>[]) {
  for (const e of events) applyEvent(run.state, run.items, e, catalog);
}

describe("reconcile", () => {
  it("dispatches a pending single step once, and again only after a dispatch left no trace for a minute", () => {
    const run = newRun();
    apply(run, [ev(1, "parse", "pending"), ev(2, "draw", "waiting")]);
    expect(at(run, T0).dispatches).toEqual([{ kind: "task", id: 1 }]);
    expect(at(run, T0 + 1000).dispatches).toEqual([]);
    expect(at(run, T0 + REDISPATCH_PENDING_MS + 1).dispatches).toEqual([{ kind: "task", id: 1 }]);
    // A processing task whose executor went silent past its lease is dispatched again.
    apply(run, [ev(1, "parse", "processing")]);
    expect(at(run, T0 + REDISPATCH_PENDING_MS + 2 + STALE_PROCESSING_MS).dispatches).toEqual([
      { kind: "task", id: 1 },
    ]);
  });

  it("starts a fan-out chain, closes the step only once every item exists and is done, with a summary of failures", () => {
    // External generator: workers claim the items, so only the chain and the close are decided.
    const run = newRun(["parse", "draw"], { generator: "external" });
    apply(run, [ev(1, "parse", "completed"), ev(2, "draw", "pending")]);
    expect(at(run, T0).dispatches).toEqual([{ kind: "fanout", id: 2 }]);
    apply(run, [
      ev(2, "draw", "processing"),
      ev(10, "draw", "pending", { parent: 2 }),
      ev(11, "draw", "pending", { parent: 2 }),
    ]);
    expect(stepsAwaitingExpansion(run.state)).toEqual([2]);
    // Not yet done: the chain is sent again only when both it and its last chunk are old.
    expect(at(run, T0 + 1, { 2: { done: false, items: 2, at: T0 } }).dispatches).toEqual([]);
    expect(
      at(run, T0 + 2 * REDISPATCH_PENDING_MS, { 2: { done: false, items: 2, at: T0 } }).dispatches,
    ).toContainEqual({ kind: "fanout", id: 2 });
    // Done with three items, but only two have reached the run: not expanded yet.
    expect(at(run, T0 + 3 * REDISPATCH_PENDING_MS, { 2: { done: true, items: 3, at: T0 } }).closes).toEqual(
      [],
    );
    expect(run.state.steps[1]?.expanded).toBeFalsy();
    apply(run, [
      ev(10, "draw", "completed", { parent: 2 }),
      ev(11, "draw", "failed", { parent: 2, error: "no ink" }),
    ]);
    const decided = at(run, T0, { 2: { done: true, items: 2, at: T0 } });
    expect(run.state.steps[1]?.expanded).toBe(true);
    expect(decided.closes).toEqual([{ stepTaskId: 2, error: "1 of 2 cards failed: no ink" }]);
    expect(stepsAwaitingExpansion(run.state)).toEqual([]);
  });

  it("runs at most max_parallel items at once with the built-in generator, none with the external one", () => {
    const run = newRun(["draw"], { maxParallel: 2 });
    apply(run, [
      ev(2, "draw", "processing"),
      ...[10, 11, 12, 13].map((id) => ev(id, "draw", "pending", { parent: 2 })),
    ]);
    const first = at(run, T0, { 2: { done: true, items: 4, at: T0 } });
    expect(first.dispatches).toEqual([
      { kind: "task", id: 10 },
      { kind: "task", id: 11 },
    ]);
    expect(first.dirty).toEqual([10, 11]);
    expect(at(run, T0 + 10).dispatches).toEqual([]);
    apply(run, [ev(10, "draw", "completed", { parent: 2 })]);
    expect(at(run, T0 + 20).dispatches).toEqual([{ kind: "task", id: 12 }]);

    const external = newRun(["draw"], { generator: "external" });
    apply(external, [ev(2, "draw", "processing"), ev(10, "draw", "pending", { parent: 2 })]);
    expect(at(external, T0, { 2: { done: true, items: 1, at: T0 } }).dispatches).toEqual([]);
  });

  it("decides nothing for a workflow that is not running", () => {
    const run = newRun(["parse"], { status: "paused" });
    apply(run, [ev(1, "parse", "pending")]);
    expect(at(run, T0)).toEqual({ dispatches: [], closes: [], dirty: [] });
  });
});
