import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyControl, planControl } from "../../../worker/core/workflows/run/control";
import { applyEvent } from "../../../worker/core/workflows/run/events";
import {
  type FrameDraft,
  numberFrames,
  progressOf,
  snapshotOf,
} from "../../../worker/core/workflows/run/state";
import { catalog, ev, newRun, T0 } from "./fixtures";

/** The run's state machine, pure: task changes in, frames out, no Durable Object or database. */
function applyAll(run: ReturnType<typeof newRun>, events: ReturnType<typeof ev>[]): FrameDraft[] {
  return events.flatMap((e) => applyEvent(run.state, run.items, e, catalog));
}

describe("applying task changes", () => {
  it("starts and completes steps, counts items, and completes the workflow with its last step", () => {
    const run = newRun(["parse", "draw"]);
    const frames = applyAll(run, [
      ev(1, "parse", "pending"),
      ev(2, "draw", "waiting"),
      ev(1, "parse", "processing"),
      ev(1, "parse", "completed"),
      ev(2, "draw", "pending"),
      ev(2, "draw", "processing"),
      ev(10, "draw", "pending", { parent: 2, ref: "card:1" }),
      ev(11, "draw", "pending", { parent: 2, ref: "card:2" }),
      ev(10, "draw", "processing", { parent: 2 }),
      ev(10, "draw", "completed", { parent: 2 }),
      ev(11, "draw", "processing", { parent: 2 }),
      ev(11, "draw", "completed", { parent: 2 }),
      ev(2, "draw", "completed", { at: T0 + 5000 }),
    ]);
    expect(frames.map((f) => [f.type, f.step ?? null, f.message ?? null])).toEqual([
      ["step_started", "parse", "Step parse started"],
      ["step_completed", "parse", null],
      ["step_started", "draw", "Step draw started"],
      ["progress_update", "draw", "Drawing card 1/2"],
      ["progress_update", "draw", "1/2 cards done"],
      ["progress_update", "draw", "Drawing card 2/2"],
      ["progress_update", "draw", "2/2 cards done"],
      ["step_completed", "draw", null],
      ["workflow_completed", null, "Workflow completed"],
    ]);
    // Each frame carries the view right after its event.
    expect(frames.map((f) => f.progress)).toEqual([0.25, 0.5, 0.5, 0.5, 0.75, 0.75, 1, 1, 1]);
    expect(run.state).toMatchObject({
      status: "completed",
      completedAt: T0 + 5000,
      cursor: expect.any(Number),
    });
    expect(frames.at(-1)).toMatchObject({ status: "completed", current_step: "draw" });
  });

  it("fails the workflow with a failed step's reason, and a failed item is told with its own", () => {
    const run = newRun(["parse", "draw"]);
    const frames = applyAll(run, [
      ev(2, "draw", "processing"),
      ev(10, "draw", "failed", { parent: 2, error: "renderer down" }),
      ev(2, "draw", "failed", { error: "1 of 1 cards failed: renderer down" }),
    ]);
    expect(frames.map((f) => f.type)).toEqual([
      "step_started",
      "progress_update",
      "step_failed",
      "workflow_failed",
    ]);
    expect(frames[1]?.message).toBe("A card failed (1 of 1): renderer down");
    expect(run.state).toMatchObject({ status: "failed", error: "draw: 1 of 1 cards failed: renderer down" });
  });

  it("records changes of a finished or unknown workflow without frames, and skips unknown steps", () => {
    const run = newRun(["parse"], { status: "cancelled" });
    expect(
      applyAll(run, [ev(1, "parse", "processing"), ev(1, "parse", "cancelled"), ev(9, "nope", "completed")]),
    ).toEqual([]);
    expect(run.state.steps[0]?.status).toBe("cancelled");
    expect(run.state.cursor).toBeGreaterThan(0);
  });

  it("numbers frames in order, and a render's progress starts from nothing", () => {
    const run = newRun(["render"]);
    applyAll(run, [ev(1, "render", "processing")]);
    expect(progressOf(run.state, run.items.values(), catalog)).toBe(0.05);
    const frames = numberFrames(
      run.state,
      run.items.values(),
      [{ type: "progress_update" }, { type: "step_started" }],
      catalog,
      T0,
    );
    expect(frames.map((f) => f.seq)).toEqual([1, 2]);
    expect(frames[0]).toMatchObject({ workflow_id: 7, status: "running", timestamp: "2026-02-08T10:00:00Z" });
    expect(snapshotOf(run.state, run.items.values(), catalog)).toMatchObject({
      last_seq: 2,
      steps: [{ name: "render", status: "running", items: { total: 1, processing: 1 } }],
    });
  });

  it("never moves progress back, and tells each item done once, however the items interleave", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(), { maxLength: 60 }), (n, picks) => {
        const run = newRun(["parse", "draw"]);
        applyAll(run, [ev(1, "parse", "completed"), ev(2, "draw", "processing")]);
        // The step's items exist (one chunk), then each goes processing → completed; `picks` chooses
        // which item moves next. (Across chunks a step's total grows, and its fraction with it can
        // drop: items of a later chunk are created after earlier ones finished.)
        const events = Array.from({ length: n }, (_, k) => ev(100 + k, "draw", "pending", { parent: 2 }));
        const stage = Array.from({ length: n }, () => 1);
        const order = ["pending", "processing", "completed"];
        let i = 0;
        while (stage.some((s) => s < 3)) {
          const open = stage.map((s, k) => [s, k] as const).filter(([s]) => s < 3);
          const [, k] = open[(picks[i++] ?? 0) % open.length] as readonly [number, number];
          events.push(ev(100 + k, "draw", order[stage[k] as number] as string, { parent: 2 }));
          stage[k] = (stage[k] as number) + 1;
        }
        events.push(ev(2, "draw", "completed"));
        const frames = applyAll(run, events);
        const progress = frames.map((f) => f.progress as number);
        expect(progress).toEqual([...progress].sort((a, b) => a - b));
        expect(frames.filter((f) => /cards done$/.test(String(f.message))).map((f) => f.message)).toEqual(
          Array.from({ length: n }, (_, j) => `${j + 1}/${n} cards done`),
        );
        expect(frames.at(-1)?.type).toBe("workflow_completed");
      }),
    );
  });
});

describe("controls", () => {
  it("answers what is already so, refuses what cannot be, and writes the rest guarded by the status", () => {
    const running = newRun().state;
    expect(planControl(running, "pause")).toEqual({
      kind: "write",
      action: "pause",
      allowedFrom: ["running"],
    });
    expect(planControl(running, "resume")).toMatchObject({
      kind: "answer",
      result: { code: 200, status: "running" },
    });
    expect(planControl(running, "retry")).toMatchObject({ kind: "answer", result: { code: 409 } });
    expect(planControl(running, "cancel")).toMatchObject({ allowedFrom: ["running", "paused", "failed"] });
    const completed = newRun([], { status: "completed" }).state;
    expect(planControl(completed, "pause")).toMatchObject({
      result: { code: 409, message: "The workflow is completed; only a running workflow can be paused" },
    });
    expect(planControl(completed, "cancel")).toMatchObject({
      result: { code: 409, message: "The workflow has completed; there is nothing to cancel" },
    });
    expect(planControl(newRun([], { status: "cancelled" }).state, "cancel")).toMatchObject({
      result: { code: 200 },
    });
  });

  it("resumes with everything pending dispatched again, and retries from the failed step", () => {
    const run = newRun(["parse", "draw"], { status: "paused" });
    applyAll(run, [
      ev(1, "parse", "completed"),
      ev(2, "draw", "processing"),
      ev(10, "draw", "pending", { parent: 2 }),
    ]);
    const item = run.items.get(10);
    if (item) item.dispatchedAt = T0;
    const resumed = applyControl(run.state, run.items, "resume", T0 + 1);
    expect(resumed).toMatchObject({ result: { code: 200, status: "running" }, dirty: [10] });
    expect(run.items.get(10)?.dispatchedAt).toBeNull();
    expect(run.state.status).toBe("running");

    applyAll(run, [ev(2, "draw", "failed", { error: "boom" })]);
    const retried = applyControl(run.state, run.items, "retry", T0 + 2);
    expect(retried.drafts).toEqual([
      { type: "workflow_resumed", message: "Retrying from draw", step: "draw" },
    ]);
    expect(run.state).toMatchObject({ status: "running", error: null, completedAt: null });
  });
});
