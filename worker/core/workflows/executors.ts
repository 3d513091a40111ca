import { randomToken } from "../../../contracts/crypto";
import { runBatch, type Statement } from "../../db/client";
import { isGuardAbort } from "../../db/guard";
import { rollupProjectStatement } from "../../db/queries/tasks";
import {
  backOffStatement,
  type ClaimedTask,
  claimBuiltinStatement,
  extendBuiltinLease,
  releaseClaimStatement,
  waitStatement,
} from "../../db/queries/workflow-tasks";
import { findWorkflowById } from "../../db/queries/workflows";
import { AppError } from "../../platform/errors";
import type { AppContext } from "../context";
import { createContext } from "../context";
import { startExport } from "../exports/exports";
import { prepareTaskUpdates } from "../tasks/engine";
import { BUILTIN_LEASE_MS } from "./run/policy";
import { pokeWorkflows } from "./run-stub";
import { stepOf } from "./steps";
import { PermanentError, RetryLater, type StepResult, type StepRun, type StepServices } from "./steps/types";

/**
 * The built-in executor of workflow tasks, run by the queue consumer: whatever the task's step
 * module does (steps/). It claims the task by id under a lease, runs the step's work, and completes
 * the task in the same D1 batch that records the result, so a result without a completed task (or
 * the reverse) cannot exist. A failed attempt backs off and is retried; the last one fails the task
 * with the reason, which fails the step.
 */
const BUILTIN_ATTEMPTS = 3;

/** What steps reach above the task engine (see StepServices). */
const SERVICES: StepServices = { startExport };

export type Outcome =
  | { kind: "done" }
  | { kind: "skipped"; reason: string }
  | { kind: "retry"; delaySeconds: number }
  /** A provider's job is under way: poll it in a new message after the delay (not a redelivery). */
  | { kind: "poll"; delaySeconds: number };

function retryDelaySeconds(env: Env, attempt: number): number {
  const base = Math.max(1, Number(env.WORKFLOW_RETRY_BASE_SECONDS) || 5);
  return Math.min(300, base * 2 ** Math.max(0, attempt - 1));
}

/** The step's work for one task: a single step's own task, or an item of a fan-out step. */
function execute(ex: StepRun): Promise<StepResult> {
  const { task } = ex;
  const def = stepOf(task.step);
  if (task.parentTaskId === null) {
    if (def?.kind === "single") return def.run(ex);
    throw new PermanentError(`Step ${task.step} is not run by an executor`);
  }
  if (def?.kind === "fanout" && def.items.taskType === task.taskType) return def.items.run(ex);
  throw new PermanentError(`No built-in executor for ${task.taskType}`);
}

function messageOf(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.slice(0, 400) || "Unknown error";
}

/**
 * Runs one built-in task. `done` and `skipped` are acknowledged; `retry` is redelivered after its
 * delay (the task's lease lasts until then, so nothing else runs it early).
 */
export async function runWorkflowTask(env: Env, taskId: number): Promise<Outcome> {
  const ctx = createContext(env);
  const leaseToken = randomToken(24);
  const [claimed] = await ctx.db.batch([
    claimBuiltinStatement(ctx.db, taskId, leaseToken, ctx.now, BUILTIN_LEASE_MS),
    rollupProjectStatement(ctx.db, { leasedBy: leaseToken }, ctx.now),
  ]);
  const task = claimed[0];
  if (!task) return { kind: "skipped", reason: "not claimable (done, taken, paused or cancelled)" };
  await pokeWorkflows(env, [task.workflowId]);
  const workflow = await findWorkflowById(ctx.db, task.workflowId);
  if (!workflow) return { kind: "skipped", reason: "workflow missing" };

  let result: StepResult;
  try {
    result = await execute({ ctx, task, workflow, services: SERVICES });
  } catch (err) {
    const message = messageOf(err);
    const permanent = err instanceof PermanentError || (err instanceof AppError && err.status < 500);
    if (!permanent && task.attempts < BUILTIN_ATTEMPTS) {
      const delaySeconds =
        err instanceof RetryLater
          ? Math.max(1, Math.ceil(err.delaySeconds))
          : retryDelaySeconds(env, task.attempts);
      const now = Date.now();
      await backOffStatement(
        ctx.db,
        task.id,
        leaseToken,
        now + delaySeconds * 1000,
        `Attempt ${task.attempts} failed: ${message}; retrying`,
        now,
      );
      return { kind: "retry", delaySeconds };
    }
    await finish(ctx, task, leaseToken, {
      status: "failed",
      error: permanent ? message : `${message} (gave up after ${task.attempts} attempts)`,
    });
    return { kind: "done" };
  }
  if (result.wait) {
    const now = Date.now();
    await waitStatement(ctx.db, task.id, leaseToken, now + result.wait.delaySeconds * 1000, now);
    return { kind: "poll", delaySeconds: result.wait.delaySeconds };
  }
  if (result.release !== undefined) {
    await releaseClaimStatement(ctx.db, task.id, leaseToken, result.release, Date.now());
    await pokeWorkflows(env, [task.workflowId]);
    return { kind: "done" };
  }
  if (result.keepOpen) {
    if (result.keepOpenUntil) {
      await extendBuiltinLease(ctx.db, task.id, leaseToken, result.keepOpenUntil, Date.now());
    }
    return { kind: "done" };
  }
  const committed = await finish(
    ctx,
    task,
    leaseToken,
    { status: "completed", output: result.output },
    result.statements,
  );
  if (committed) {
    await Promise.all((result.obsoleteKeys ?? []).map((k) => ctx.env.BUCKET.delete(k)));
    return { kind: "done" };
  }
  await Promise.all((result.orphanKeys ?? []).map((k) => ctx.env.BUCKET.delete(k)));
  return { kind: "skipped", reason: "the task was cancelled or taken over while it ran" };
}

/** Completes or fails the task under its lease, with the result's statements in the same batch. */
async function finish(
  ctx: AppContext,
  task: ClaimedTask,
  leaseToken: string,
  end: { status: "completed" | "failed"; output?: Record<string, unknown>; error?: string },
  statements: Statement[] = [],
): Promise<boolean> {
  const now = Date.now();
  const ectx = { ...ctx, now };
  try {
    const prepared = await prepareTaskUpdates(
      ectx,
      task.ownerId,
      [
        {
          locator: { id: task.id },
          status: end.status,
          lease_token: leaseToken,
          ...(end.output ? { task_output: end.output } : {}),
          ...(end.error ? { error_message: end.error } : {}),
        },
      ],
      { leaseRequired: true, itemHook: false },
    );
    await runBatch(ctx.db, [...prepared.statements, ...statements]);
    await pokeWorkflows(ctx.env, [task.workflowId]);
    return true;
  } catch (err) {
    if (isGuardAbort(err) || (err instanceof AppError && err.code === "BAD_REQUEST")) return false;
    throw err;
  }
}
