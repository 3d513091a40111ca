import type { Frame } from "../../../../contracts/workflow-frames";
import type { Database } from "../../../db/client";
import { dbOf, runBatch, type Statement } from "../../../db/client";
import { isGuardAbort } from "../../../db/guard";
import { returnReservationStatements } from "../../../db/queries/generation-jobs";
import { completeStudioProjectStatement } from "../../../db/queries/project-progress";
import { fanoutStepsStatement, parseFanoutStep } from "../../../db/queries/workflow-tasks";
import { deleteEvents, readEvents, updateWorkflowStatement } from "../../../db/queries/workflows";
import { AppError } from "../../../platform/errors";
import { type AppContext, createContext } from "../../context";
import { prepareTaskUpdates } from "../../tasks/engine";
import { stepCatalog, templateOf } from "../steps";
import { applyEvent } from "./events";
import type { RunHost } from "./host";
import { EVENT_PAGE, MAX_EVENT_PAGES_PER_CALL, WATCHDOG_MS } from "./policy";
import { type FanoutFacts, reconcile, type StepClose, stepsAwaitingExpansion } from "./reconcile";
import {
  type FrameDraft,
  type ItemState,
  isLive,
  mirrorOf,
  numberFrames,
  type RunState,
  type TaskEvent,
} from "./state";

/**
 * One call's work on a run, against its host: reading the workflow's task changes after the
 * cursor (each arrives once, in order), deciding (reconcile.ts), writing what was decided and
 * mirroring the result to D1. The D1 round trips of a step transition are few and fixed: one read
 * (the events with the fan-out facts), one write that also reads the events it caused, and one
 * closing write (the mirror with the events' removal).
 */
export class Run {
  readonly db: Database;
  readonly now: number;
  private readonly dirty = new Set<number>();
  private readonly startCursor: number;
  private readonly fanout = new Map<number, FanoutFacts>();
  private pages = 0;
  /** The call stopped at its page limit with changes left to read (an alarm follows at once). */
  backlog = false;

  constructor(
    readonly host: RunHost,
    readonly state: RunState,
  ) {
    this.db = dbOf(host.env.DB);
    this.now = host.clock();
    this.startCursor = state.cursor;
  }

  get items(): Map<number, ItemState> {
    return this.host.memory.items;
  }

  /** A core context for the engine and the export machinery, at this call's time. */
  core(): AppContext {
    return createContext(this.host.env, { now: this.now });
  }

  markDirty(ids: Iterable<number>): void {
    for (const id of ids) this.dirty.add(id);
  }

  /** Numbers the drafts, persists them with the state and changed items, then sends them. */
  commit(drafts: readonly FrameDraft[]): Frame[] {
    const frames = numberFrames(this.state, this.items.values(), drafts, stepCatalog, this.host.clock());
    const items = [...this.dirty].flatMap((id) => this.items.get(id) ?? []);
    this.host.persist(this.state, items, frames);
    this.dirty.clear();
    this.host.broadcast(frames);
    return frames;
  }

  private apply(events: readonly TaskEvent[]): void {
    const drafts: FrameDraft[] = [];
    for (const ev of events) {
      drafts.push(...applyEvent(this.state, this.items, ev, stepCatalog));
      if (ev.parentTaskId !== null) this.dirty.add(ev.taskId);
    }
    this.commit(drafts);
  }

  private recordFacts(rows: Awaited<ReturnType<typeof fanoutStepsStatement>>): void {
    for (const row of rows) {
      const step = parseFanoutStep(row);
      this.fanout.set(
        step.id,
        step.status === "pending" || step.status === "waiting"
          ? { done: false, items: null, at: null }
          : step.fanout
            ? { done: step.fanout.done, items: step.fanout.items, at: step.fanout.at }
            : // A step from before chunked expansion got every item when it started.
              { done: true, items: null, at: null },
      );
    }
  }

  /**
   * Applies the recorded task changes after the cursor, page by page (at most four a call); the
   * first page comes in one batch with the expansion of the fan-out steps that await it.
   */
  async drain(): Promise<void> {
    const awaiting = stepsAwaitingExpansion(this.state, true).filter((id) => !this.fanout.has(id));
    for (let first = true; ; first = false) {
      if (this.pages === MAX_EVENT_PAGES_PER_CALL) {
        this.backlog = true;
        return;
      }
      const read = readEvents(this.db, this.state.workflowId, this.state.cursor, EVENT_PAGE);
      let events: TaskEvent[];
      if (first && awaiting.length > 0) {
        const [page, steps] = await this.db.batch([read, fanoutStepsStatement(this.db, awaiting)]);
        this.recordFacts(steps);
        events = page;
      } else {
        events = await read;
      }
      this.pages++;
      this.apply(events);
      if (events.length < EVENT_PAGE) return;
    }
  }

  /** Facts of fan-out steps that started awaiting their expansion during this call. */
  private async missingFacts(): Promise<void> {
    const missing = stepsAwaitingExpansion(this.state).filter((id) => !this.fanout.has(id));
    if (missing.length > 0) this.recordFacts(await fanoutStepsStatement(this.db, missing));
  }

  /**
   * Moves the workflow on until nothing is left to decide: dispatches what is due and closes
   * finished fan-out steps; a close's batch reads the events it caused, so the next step is
   * dispatched in the same call without another read.
   */
  async advance(): Promise<void> {
    await this.drain();
    for (let pass = 0; pass < 3 && this.state.status === "running"; pass++) {
      await this.missingFacts();
      const decided = reconcile(this.state, this.items, { now: this.now, fanout: this.fanout }, stepCatalog);
      this.markDirty(decided.dirty);
      if (decided.dispatches.length > 0) {
        await this.host.env.JOBS.sendBatch(decided.dispatches.map((body) => ({ body })));
      }
      if (decided.closes.length === 0 || this.backlog || !(await this.close(decided.closes))) break;
    }
    this.commit([]);
    await this.finish();
  }

  /** Completes or fails steps through the task engine, reading the changes it makes in the same batch. */
  private async close(closes: readonly StepClose[]): Promise<boolean> {
    let statements: Statement[];
    try {
      const prepared = await prepareTaskUpdates(
        this.core(),
        this.state.ownerId,
        closes.map((c) => ({
          locator: { id: c.stepTaskId },
          status: c.error ? ("failed" as const) : ("completed" as const),
          ...(c.error ? { error_message: c.error } : {}),
        })),
        { leaseRequired: false, itemHook: false },
      );
      statements = prepared.statements;
    } catch (err) {
      // The step moved on meanwhile (cancelled, closed by another call): nothing to do.
      if (err instanceof AppError && err.status < 500) return false;
      throw err;
    }
    if (statements.length === 0) return false;
    // The changes the close causes (the step's, its dependents') are read in its own batch.
    const read = this.pages < MAX_EVENT_PAGES_PER_CALL;
    let results: unknown[];
    try {
      results = await runBatch(this.db, [
        ...statements,
        ...(read ? [readEvents(this.db, this.state.workflowId, this.state.cursor, EVENT_PAGE)] : []),
      ]);
    } catch (err) {
      if (isGuardAbort(err)) return false;
      throw err;
    }
    if (!read) {
      this.backlog = true;
      return false;
    }
    const events = results.at(-1) as TaskEvent[];
    this.pages++;
    this.apply(events);
    if (events.length === EVENT_PAGE) await this.drain();
    return true;
  }

  /**
   * Removes the applied events and mirrors the run to the workflows row whenever its view changed
   * (with the rule that a finished full_production or render workflow completes its project), in
   * one batch; then keeps an alarm while the workflow is live.
   */
  async finish(): Promise<void> {
    const { state } = this;
    const statements: Statement[] = [];
    if (state.cursor > this.startCursor)
      statements.push(deleteEvents(this.db, state.workflowId, state.cursor));
    const mirror = mirrorOf(state, this.items.values(), stepCatalog);
    const key = JSON.stringify(mirror);
    if (key !== state.mirrored) {
      statements.push(updateWorkflowStatement(this.db, state.workflowId, mirror, this.now));
      if (state.status === "completed" && templateOf(state.workflowType).completesProject) {
        statements.push(completeStudioProjectStatement(this.db, state.ownerId, state.projectId, this.now));
      }
      // An ended run returns what is left of its quote's reservation (once: the ledger line is unique).
      if (state.status === "completed" || state.status === "failed" || state.status === "cancelled")
        statements.push(...returnReservationStatements(this.db, state.workflowId, this.now));
    }
    if (statements.length > 0) await runBatch(this.db, statements);
    if (key !== state.mirrored) {
      state.mirrored = key;
      this.host.persist(state, [], []);
    }
    await this.watchdog();
  }

  /** While the workflow is live, an alarm re-reads events now and then: a lost poke costs seconds, not work. */
  private async watchdog(): Promise<void> {
    const current = await this.host.alarm();
    if (!isLive(this.state) && !this.backlog) {
      if (current !== null) await this.host.setAlarm(null);
      return;
    }
    const due = this.host.clock() + (this.backlog ? 0 : WATCHDOG_MS);
    if (current === null || current > due) await this.host.setAlarm(due);
  }
}
