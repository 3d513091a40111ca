import { DurableObject } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { cancelWorkflowExports } from "../../worker/core/exports/cancel";
import { BUILTIN_LEASE_MS } from "../../worker/core/workflows/executors";
import { readOptions } from "../../worker/core/workflows/options";
import { closeStep, fanoutState } from "../../worker/core/workflows/orchestrator";
import { abortUnlessChanged, isGuardAbort } from "../../worker/db/guard";
import { rollupProjectStatement } from "../../worker/db/queries/tasks";
import {
  cancelWorkflowTasksStatement,
  retryWorkflowTasksStatements,
} from "../../worker/db/queries/workflow-tasks";
import {
  deleteEvents,
  findWorkflowById,
  readEvents,
  updateWorkflowStatement,
  type WorkflowRow,
} from "../../worker/db/queries/workflows";
import type { JobMessage } from "../../worker/jobs/messages";
import { backgroundCore, dbOf } from "../../worker/platform/context";
import { iso } from "../../worker/platform/time";
import { CLOSE, type Frame, type FrameType, REPLAY_FRAMES } from "./frames";
import {
  applyEvent,
  countItems,
  currentStepOf,
  type FrameDraft,
  type ItemState,
  initialState,
  progressOf,
  type RunState,
  stepStatus,
} from "./state";

/**
 * The live state of one studio workflow, authoritative and persisted in this object's
 * SQLite storage; D1's `workflows` row mirrors it for listing. It reads the workflow's task
 * changes (workflow_events, written by triggers) after its cursor, so each arrives once and in
 * order; turns them into frames, persisted before they are sent; moves the workflow on (starts
 * fan-out steps, closes finished ones, dispatches built-in work to the queue); and serves
 * hibernatable WebSockets and SSE streams. Every operation runs under one lock, so the awaits on
 * D1 and the queue never interleave two of them.
 */
export type ControlAction = "pause" | "resume" | "cancel" | "retry";
/** `code` 200 carries the workflow's new status; 404 and 409 explain the refusal in `message`. */
export interface ControlResult {
  code: 200 | 404 | 409;
  status: string;
  message: string;
}

export interface WorkflowSnapshot {
  id: number;
  project_id: string;
  workflow_type: string;
  generator: string;
  status: string;
  current_step: string | null;
  progress: number;
  error: string | null;
  steps: {
    name: string;
    status: string;
    started_at: string | null;
    completed_at: string | null;
    error: string | null;
    items: {
      total: number;
      pending: number;
      processing: number;
      completed: number;
      failed: number;
      cancelled: number;
    };
  }[];
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  last_seq: number;
}

const WATCHDOG_MS = 5_000;
/** Task changes read per page, and pages applied per call: one call never applies more than 2000. */
const EVENT_PAGE = 500;
const MAX_EVENT_PAGES_PER_CALL = 4;
const REDISPATCH_PENDING_MS = 60_000;
const MAX_SOCKETS = 5_000;
const encoder = new TextEncoder();

interface SocketAttachment {
  ownerId: number;
  connectedAt: number;
}

export class WorkflowRun extends DurableObject<Env> {
  private state: RunState | null = null;
  private items = new Map<number, ItemState>();
  private dirtyItems = new Set<number>();
  private chain: Promise<unknown> = Promise.resolve();
  private sse = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  private keepAlive: ReturnType<typeof setInterval> | null = null;
  /** The last drain stopped at its limit with changes left to read. */
  private backlog = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Answered by the runtime while the object hibernates: a ping never wakes it.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => this.load());
  }

  // ---- storage ---------------------------------------------------------------------------------

  private load(): void {
    const sqlx = this.ctx.storage.sql;
    sqlx.exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    sqlx.exec(
      `CREATE TABLE IF NOT EXISTS items (task_id INTEGER PRIMARY KEY, step TEXT NOT NULL, status TEXT NOT NULL,
        item_ref TEXT, error TEXT, dispatched_at INTEGER)`,
    );
    sqlx.exec("CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, body TEXT NOT NULL)");
    const row = sqlx.exec<{ value: string }>("SELECT value FROM meta WHERE key = 'state'").toArray()[0];
    this.state = row ? (JSON.parse(row.value) as RunState) : null;
    this.items = new Map(
      sqlx
        .exec<{
          task_id: number;
          step: string;
          status: string;
          item_ref: string | null;
          error: string | null;
          dispatched_at: number | null;
        }>("SELECT * FROM items")
        .toArray()
        .map((r) => [
          r.task_id,
          {
            taskId: r.task_id,
            step: r.step as ItemState["step"],
            status: r.status as ItemState["status"],
            itemRef: r.item_ref,
            error: r.error,
            dispatchedAt: r.dispatched_at,
          },
        ]),
    );
  }

  /** Numbers the frames and writes them with the state and changed items in one transaction. */
  private commit(drafts: FrameDraft[]): Frame[] {
    const state = this.mustState();
    const frames: Frame[] = drafts.map((d) => this.frame(d.type as FrameType, d));
    this.ctx.storage.transactionSync(() => {
      const sqlx = this.ctx.storage.sql;
      for (const f of frames)
        sqlx.exec("INSERT INTO frames (seq, body) VALUES (?, ?)", f.seq, JSON.stringify(f));
      if (frames.length > 0) sqlx.exec("DELETE FROM frames WHERE seq <= ?", state.seq - REPLAY_FRAMES);
      for (const id of this.dirtyItems) {
        const it = this.items.get(id);
        if (!it) continue;
        sqlx.exec(
          "INSERT OR REPLACE INTO items (task_id, step, status, item_ref, error, dispatched_at) VALUES (?, ?, ?, ?, ?, ?)",
          it.taskId,
          it.step,
          it.status,
          it.itemRef,
          it.error,
          it.dispatchedAt,
        );
      }
      sqlx.exec("INSERT OR REPLACE INTO meta (key, value) VALUES ('state', ?)", JSON.stringify(state));
    });
    this.dirtyItems.clear();
    return frames;
  }

  private frame(type: FrameType, extra: Record<string, unknown>): Frame {
    const state = this.mustState();
    state.seq += 1;
    return {
      status: state.status,
      progress: progressOf(state, this.items.values()),
      current_step: currentStepOf(state),
      ...extra,
      type,
      seq: state.seq,
      workflow_id: state.workflowId,
      timestamp: iso(Date.now()),
    } as Frame;
  }

  private mustState(): RunState {
    if (!this.state) throw new Error("workflow state not initialised");
    return this.state;
  }

  // ---- serialisation ---------------------------------------------------------------------------

  private lock<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Loads the workflow from D1 the first time this object hears of it. */
  private async ensure(workflowId: number): Promise<RunState | null> {
    if (this.state) return this.state;
    const row = await findWorkflowById(dbOf(this.env), workflowId);
    if (!row) return null;
    this.state = initialState({ ...row, id: row.id });
    this.commit([]);
    return this.state;
  }

  // ---- RPC -------------------------------------------------------------------------------------

  /** Called when the workflow has been created. */
  async start(workflowId: number): Promise<void> {
    await this.lock(async () => {
      if (!(await this.ensure(workflowId))) return;
      await this.advance();
    });
  }

  /** Task changes are waiting in workflow_events: read them now. */
  async poke(workflowId: number): Promise<void> {
    await this.lock(async () => {
      if (!(await this.ensure(workflowId))) return;
      await this.advance();
    });
  }

  async snapshot(workflowId: number): Promise<WorkflowSnapshot | null> {
    return this.lock(async () => {
      if (!(await this.ensure(workflowId))) return null;
      await this.advance();
      return this.snapshotBody();
    });
  }

  async control(workflowId: number, action: ControlAction): Promise<ControlResult> {
    return this.lock(async () => {
      const state = await this.ensure(workflowId);
      if (!state) return { code: 404, status: "unknown", message: "Workflow not found" };
      await this.drain();
      const result = await this.applyControl(state, action);
      if (result.code === 200) await this.advance();
      return result;
    });
  }

  /** A render's progress (from the renderer's events): an `export_progress` frame. */
  async exportProgress(
    workflowId: number,
    p: { export_id: number; progress: number; stage: string; eta_seconds?: number },
  ): Promise<void> {
    await this.lock(async () => {
      const state = await this.ensure(workflowId);
      if (!state || (state.status !== "running" && state.status !== "paused")) return;
      const step = state.steps.find((s) => s.name === "video_rendering");
      if (step) step.progressHint = Math.max(step.progressHint ?? 0, p.progress);
      const percent = Math.round(p.progress * 100);
      this.broadcast(
        this.commit([
          {
            type: "export_progress",
            step: "video_rendering",
            export_id: p.export_id,
            export_progress: p.progress,
            stage: p.stage,
            ...(p.eta_seconds !== undefined ? { eta_seconds: p.eta_seconds } : {}),
            message:
              p.stage === "waiting"
                ? "Waiting for the renderer (it is not answering; retrying)"
                : `Rendering video ${percent}% (${p.stage})`,
          },
        ]),
      );
    });
  }

  /** Benchmark support: publishes `count` progress frames `intervalMs` apart (bench routes only). */
  async benchPublish(workflowId: number, count: number, intervalMs: number): Promise<number> {
    if (!(await this.lock(async () => this.ensure(workflowId)))) return 0;
    for (let i = 0; i < count; i++) {
      await this.lock(async () => {
        this.broadcast(
          this.commit([
            { type: "progress_update", message: `bench ${i + 1}/${count}`, bench: i, sent_at: Date.now() },
          ]),
        );
      });
      if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    }
    return this.ctx.getWebSockets().length;
  }

  override async alarm(): Promise<void> {
    await this.lock(async () => {
      if (this.state) await this.advance();
    });
  }

  // ---- the engine of the object ----------------------------------------------------------------

  /** Drains events and moves the workflow on until nothing changes; then mirrors to D1. */
  private async advance(): Promise<void> {
    const state = this.mustState();
    const before = JSON.stringify([
      state.status,
      state.error,
      progressOf(state, this.items.values()),
      currentStepOf(state),
    ]);
    for (let round = 0; round < 20; round++) {
      await this.drain();
      if (!(await this.reconcile()) || this.backlog) break;
    }
    const after = JSON.stringify([
      state.status,
      state.error,
      progressOf(state, this.items.values()),
      currentStepOf(state),
    ]);
    if (after !== before) await this.mirror();
    await this.scheduleWatchdog();
  }

  /** Applies every recorded task change after the cursor, in order; frames are persisted, then sent. */
  private async drain(): Promise<void> {
    const state = this.mustState();
    const db = dbOf(this.env);
    const start = state.cursor;
    this.backlog = false;
    for (let page = 0; ; page++) {
      // A backlog is worked off over several calls (an alarm right away), each of bounded length.
      if (page === MAX_EVENT_PAGES_PER_CALL) {
        this.backlog = true;
        break;
      }
      const events = await readEvents(db, state.workflowId, state.cursor, EVENT_PAGE);
      if (events.length === 0) break;
      const drafts: FrameDraft[] = [];
      for (const ev of events) {
        drafts.push(...applyEvent(state, this.items, ev));
        if (ev.parentTaskId !== null) this.dirtyItems.add(ev.taskId);
      }
      this.broadcast(this.commit(drafts));
      if (events.length < EVENT_PAGE) break;
    }
    if (state.cursor > start) {
      await deleteEvents(db, state.workflowId, state.cursor).catch(() => undefined);
      // A full_production workflow or an export (a render workflow) completes the project.
      if (state.status === "completed" && state.workflowType !== "storyboard") {
        await db
          .run(
            sql`UPDATE studio_projects SET status = 'completed', updated_at = ${Date.now()} WHERE id = ${state.projectId}`,
          )
          .catch(() => undefined);
      }
    }
  }

  private async mirror(): Promise<void> {
    const state = this.mustState();
    await updateWorkflowStatement(
      dbOf(this.env),
      state.workflowId,
      {
        status: state.status,
        currentStep: currentStepOf(state),
        progress: progressOf(state, this.items.values()),
        error: state.error,
        completedAt: state.completedAt,
      },
      Date.now(),
    );
  }

  private async workflowRow(): Promise<WorkflowRow | null> {
    return (await findWorkflowById(dbOf(this.env), this.mustState().workflowId)) ?? null;
  }

  /** Moves a running workflow on. Returns whether it wrote to D1 (then there are new events). */
  private async reconcile(): Promise<boolean> {
    const state = this.mustState();
    if (state.status !== "running") return false;
    const now = Date.now();
    const ctx = backgroundCore(this.env, now);
    const dispatch: JobMessage[] = [];
    let wrote = false;
    let row: WorkflowRow | null = null;
    for (const step of state.steps) {
      if (step.taskId === null) continue;
      const longAgo = (at: number | null | undefined) =>
        at === null || at === undefined || now - at > REDISPATCH_PENDING_MS;
      if (step.kind === "single") {
        const due =
          (step.status === "pending" &&
            (step.dispatchedAt === null || now - step.dispatchedAt > REDISPATCH_PENDING_MS)) ||
          (step.status === "processing" &&
            step.dispatchedAt !== null &&
            now - step.dispatchedAt > BUILTIN_LEASE_MS + 30_000);
        if (due) {
          dispatch.push({ kind: "task", id: step.taskId });
          step.dispatchedAt = now;
        }
        continue;
      }
      // A fan-out step's items are created in chunks by queue messages (orchestrator.ts), never
      // here: this call stays short however many items there are. It only starts the chain, and
      // starts it again if it stalled (no chunk for a while).
      if (step.status === "pending") {
        if (longAgo(step.dispatchedAt)) {
          dispatch.push({ kind: "fanout", id: step.taskId });
          step.dispatchedAt = now;
        }
        continue;
      }
      if (step.status !== "processing") continue;
      const counts = countItems(this.items.values(), step.name);
      if (!step.expanded) {
        // Done, and every item it created has reached this object (events may still be on their way).
        const fanout = await fanoutState(ctx, step.taskId);
        if (fanout.done && counts.total >= (fanout.items ?? 0)) step.expanded = true;
        else if (
          !fanout.done &&
          (step.dispatchedAt === null || (longAgo(step.dispatchedAt) && longAgo(fanout.at)))
        ) {
          dispatch.push({ kind: "fanout", id: step.taskId });
          step.dispatchedAt = now;
        }
      }
      if (step.expanded && counts.waiting + counts.pending + counts.processing === 0) {
        const failed = [...this.items.values()].filter((i) => i.step === step.name && i.status === "failed");
        const error =
          failed.length > 0
            ? `${failed.length} of ${counts.total} ${step.name === "character_generation" ? "characters" : "storyboards"} failed: ${failed[0]?.error ?? "no reason given"}`
            : null;
        wrote = (await closeStep(ctx, state.ownerId, step.taskId, error)) || wrote;
        continue;
      }
      if (state.generator !== "builtin") continue;
      row ??= await this.workflowRow();
      const cap = readOptions(row?.options).max_parallel ?? 4;
      const mine = [...this.items.values()].filter((i) => i.step === step.name);
      let inFlight = mine.filter(
        (i) =>
          i.status === "processing" ||
          (i.status === "pending" && i.dispatchedAt !== null && now - i.dispatchedAt < REDISPATCH_PENDING_MS),
      ).length;
      for (const item of mine) {
        const stale =
          item.status === "processing" &&
          item.dispatchedAt !== null &&
          now - item.dispatchedAt > BUILTIN_LEASE_MS + 30_000;
        const ready =
          item.status === "pending" &&
          (item.dispatchedAt === null || now - item.dispatchedAt >= REDISPATCH_PENDING_MS);
        if (stale || (ready && inFlight < cap)) {
          dispatch.push({ kind: "task", id: item.taskId });
          item.dispatchedAt = now;
          this.dirtyItems.add(item.taskId);
          if (ready) inFlight++;
        }
      }
    }
    if (dispatch.length > 0) {
      await this.env.JOBS.sendBatch(dispatch.map((body) => ({ body })));
    }
    this.commit([]);
    return wrote;
  }

  private async applyControl(state: RunState, action: ControlAction): Promise<ControlResult> {
    const db = dbOf(this.env);
    const now = Date.now();
    const finished =
      state.status === "completed" || state.status === "failed" || state.status === "cancelled";
    const refuse = (message: string): ControlResult => ({ code: 409, status: state.status, message });
    switch (action) {
      case "pause": {
        if (state.status === "paused")
          return { code: 200, status: "paused", message: "Workflow paused successfully" };
        if (finished) return refuse(`The workflow is ${state.status}; only a running workflow can be paused`);
        const [updated] = await updateWorkflowStatement(db, state.workflowId, { status: "paused" }, now, [
          "running",
        ]);
        if (!updated) return refuse("The workflow changed meanwhile; try again");
        state.status = "paused";
        this.broadcast(
          this.commit([
            { type: "workflow_paused", message: "Workflow paused: running items finish, nothing new starts" },
          ]),
        );
        return { code: 200, status: "paused", message: "Workflow paused successfully" };
      }
      case "resume": {
        if (state.status === "running")
          return { code: 200, status: "running", message: "Workflow resumed successfully" };
        if (state.status !== "paused")
          return refuse(`The workflow is ${state.status}; only a paused workflow can be resumed`);
        const [updated] = await updateWorkflowStatement(db, state.workflowId, { status: "running" }, now, [
          "paused",
        ]);
        if (!updated) return refuse("The workflow changed meanwhile; try again");
        state.status = "running";
        this.redispatchAll();
        this.broadcast(this.commit([{ type: "workflow_resumed", message: "Workflow resumed" }]));
        return { code: 200, status: "running", message: "Workflow resumed successfully" };
      }
      case "cancel": {
        if (state.status === "cancelled")
          return { code: 200, status: "cancelled", message: "Workflow cancelled successfully" };
        if (state.status === "completed")
          return refuse("The workflow has completed; there is nothing to cancel");
        const row = await this.workflowRow();
        try {
          await db.batch([
            updateWorkflowStatement(db, state.workflowId, { status: "cancelled", completedAt: now }, now, [
              "running",
              "paused",
              "failed",
            ]),
            abortUnlessChanged(db, `workflow:${state.workflowId}`),
            cancelWorkflowTasksStatement(db, state.workflowId, now),
            ...(row?.pipelineProjectId
              ? [rollupProjectStatement(db, { id: row.pipelineProjectId }, now)]
              : []),
          ]);
        } catch (err) {
          if (isGuardAbort(err)) return refuse("The workflow changed meanwhile; try again");
          throw err;
        }
        // The cancellations arrive as events; in a cancelled workflow they change counts, not frames.
        state.status = "cancelled";
        state.completedAt = now;
        await cancelWorkflowExports(backgroundCore(this.env, now), state.workflowId);
        await this.drain();
        this.broadcast(this.commit([{ type: "workflow_cancelled", message: "Workflow cancelled" }]));
        return { code: 200, status: "cancelled", message: "Workflow cancelled successfully" };
      }
      case "retry": {
        if (state.status !== "failed")
          return refuse(`The workflow is ${state.status}; only a failed workflow can be retried`);
        const row = await this.workflowRow();
        try {
          await db.batch([
            updateWorkflowStatement(
              db,
              state.workflowId,
              { status: "running", error: null, completedAt: null },
              now,
              ["failed"],
            ),
            abortUnlessChanged(db, `workflow:${state.workflowId}`),
            ...retryWorkflowTasksStatements(db, state.workflowId, now),
            ...(row?.pipelineProjectId
              ? [rollupProjectStatement(db, { id: row.pipelineProjectId }, now)]
              : []),
          ]);
        } catch (err) {
          if (isGuardAbort(err)) return refuse("The workflow changed meanwhile; try again");
          throw err;
        }
        const from = state.steps.find((s) => s.status === "failed")?.name ?? currentStepOf(state);
        state.status = "running";
        state.error = null;
        state.completedAt = null;
        // A retried render is a new export: its progress starts again.
        for (const step of state.steps) if (step.status !== "completed") step.progressHint = undefined;
        this.broadcast(
          this.commit([{ type: "workflow_resumed", message: `Retrying from ${from}`, step: from }]),
        );
        return { code: 200, status: "running", message: "Workflow retry started" };
      }
    }
  }

  /** After a resume, everything pending is dispatched again at once. */
  private redispatchAll(): void {
    for (const item of this.items.values()) {
      if (item.status === "pending" && item.dispatchedAt !== null) {
        item.dispatchedAt = null;
        this.dirtyItems.add(item.taskId);
      }
    }
    // A fan-out step whose chunk chain stopped at the pause continues at once.
    for (const step of this.mustState().steps)
      if (step.status === "pending" || (step.kind === "fanout" && !step.expanded)) step.dispatchedAt = null;
  }

  /** While the workflow is live, an alarm re-reads events now and then: a lost poke costs seconds, not work. */
  private async scheduleWatchdog(): Promise<void> {
    const state = this.mustState();
    const live = state.status === "running" || state.status === "paused";
    const current = await this.ctx.storage.getAlarm();
    if (!live && !this.backlog) {
      if (current !== null) await this.ctx.storage.deleteAlarm();
      return;
    }
    const due = Date.now() + (this.backlog ? 0 : WATCHDOG_MS);
    if (current === null || current > due) await this.ctx.storage.setAlarm(due);
  }

  private snapshotBody(): WorkflowSnapshot {
    const state = this.mustState();
    const items = [...this.items.values()];
    return {
      id: state.workflowId,
      project_id: state.projectId,
      workflow_type: state.workflowType,
      generator: state.generator,
      status: state.status,
      current_step: currentStepOf(state),
      progress: progressOf(state, items),
      error: state.error,
      steps: state.steps.map((s) => {
        const c = countItems(items, s.name);
        const single = s.kind === "single";
        const own = (st: string) => (single && s.status === st ? 1 : 0);
        return {
          name: s.name,
          status: stepStatus(s),
          started_at: s.startedAt === null ? null : iso(s.startedAt),
          completed_at: s.completedAt === null ? null : iso(s.completedAt),
          error: s.error,
          items: single
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
      completed_at: state.completedAt === null ? null : iso(state.completedAt),
      last_seq: state.seq,
    };
  }

  // ---- sockets ---------------------------------------------------------------------------------

  private broadcast(frames: Frame[]): void {
    if (frames.length === 0) return;
    const texts = frames.map((f) => JSON.stringify(f));
    for (const ws of this.ctx.getWebSockets()) {
      try {
        for (const t of texts) ws.send(t);
      } catch {
        // A socket that cannot take a frame is closed; the others still get theirs.
        try {
          ws.close(1011, "send failed");
        } catch {
          /* already gone */
        }
      }
    }
    if (this.sse.size > 0) {
      const chunk = encoder.encode(frames.map(sseEvent).join(""));
      for (const writer of [...this.sse]) {
        writer.write(chunk).catch(() => this.dropSse(writer));
      }
    }
  }

  /** Frames after `lastSeq` if they are all still kept; otherwise null (the client gets a snapshot). */
  private replay(lastSeq: number): Frame[] | null {
    const state = this.mustState();
    if (lastSeq >= state.seq) return [];
    const rows = this.ctx.storage.sql
      .exec<{ seq: number; body: string }>("SELECT seq, body FROM frames WHERE seq > ? ORDER BY seq", lastSeq)
      .toArray();
    if (rows.length === 0 || rows[0]?.seq !== lastSeq + 1) return null;
    return rows.map((r) => JSON.parse(r.body) as Frame);
  }

  private opening(lastSeq: number | null): Frame[] {
    const replayed = lastSeq === null ? null : this.replay(lastSeq);
    if (replayed) return replayed;
    const state = this.mustState();
    const snapshot = this.snapshotBody();
    return [
      {
        type: "snapshot",
        seq: state.seq,
        workflow_id: state.workflowId,
        status: state.status,
        progress: snapshot.progress,
        current_step: snapshot.current_step,
        timestamp: iso(Date.now()),
        workflow: snapshot,
      },
    ];
  }

  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const workflowId = Number(request.headers.get("X-Workflow-Id"));
    const ownerId = Number(request.headers.get("X-Owner-Id"));
    const lastSeqText = url.searchParams.get("last_seq");
    const lastSeq = lastSeqText !== null && /^\d{1,12}$/.test(lastSeqText) ? Number(lastSeqText) : null;
    const opening = await this.lock(async () => {
      const state = await this.ensure(workflowId);
      if (!state || state.ownerId !== ownerId) return null;
      await this.advance();
      return this.opening(lastSeq);
    });

    if (url.pathname === "/ws") {
      const pair = new WebSocketPair();
      const [client, server] = [pair[0], pair[1]];
      if (!opening) {
        server.accept();
        server.close(CLOSE.notFound, "Workflow not found");
        return new Response(null, { status: 101, webSocket: client });
      }
      if (this.ctx.getWebSockets().length >= MAX_SOCKETS) {
        server.accept();
        server.close(CLOSE.tooManyConnections, "Too many connections to this workflow");
        return new Response(null, { status: 101, webSocket: client });
      }
      this.ctx.acceptWebSocket(server, [`owner:${ownerId}`]);
      server.serializeAttachment({ ownerId, connectedAt: Date.now() } satisfies SocketAttachment);
      for (const f of opening) server.send(JSON.stringify(f));
      return new Response(null, { status: 101, webSocket: client });
    }

    if (url.pathname === "/sse") {
      if (!opening) return new Response("Workflow not found", { status: 404 });
      const stream = new TransformStream<Uint8Array, Uint8Array>();
      const writer = stream.writable.getWriter();
      void writer
        .write(encoder.encode(`retry: 2000\n\n${opening.map(sseEvent).join("")}`))
        .catch(() => this.dropSse(writer));
      this.sse.add(writer);
      this.keepAlive ??= setInterval(() => {
        for (const w of [...this.sse])
          w.write(encoder.encode(": keep-alive\n\n")).catch(() => this.dropSse(w));
      }, 20_000);
      return new Response(stream.readable, {
        headers: {
          "Content-Type": "text/event-stream; charset=utf-8",
          "Cache-Control": "no-cache, no-transform",
          "X-Accel-Buffering": "no",
        },
      });
    }
    return new Response("Not found", { status: 404 });
  }

  private dropSse(writer: WritableStreamDefaultWriter<Uint8Array>): void {
    this.sse.delete(writer);
    writer.abort().catch(() => undefined);
    if (this.sse.size === 0 && this.keepAlive) {
      clearInterval(this.keepAlive);
      this.keepAlive = null;
    }
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message !== "string") return;
    if (message === '{"type":"ping"}' || message.trim() === "ping") {
      ws.send(JSON.stringify({ type: "pong", timestamp: iso(Date.now()) }));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, reason);
    } catch {
      /* the runtime already answered the close */
    }
  }

  override async webSocketError(): Promise<void> {
    // Nothing to do: a broken socket is simply skipped by the next broadcast.
  }
}

function sseEvent(f: Frame): string {
  return `id: ${f.seq}\nevent: ${f.type}\ndata: ${JSON.stringify(f)}\n\n`;
}
