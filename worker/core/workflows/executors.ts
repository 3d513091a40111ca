import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { canvasSize } from "../../../contracts/render-spec";
import { isGuardAbort } from "../../db/guard";
import { findCharacter, setGeneratedImageStatement } from "../../db/queries/characters";
import { findStoryboard, updateStoryboardStatement } from "../../db/queries/storyboards";
import { findStudioProject } from "../../db/queries/studio-projects";
import { rollupProjectStatement } from "../../db/queries/tasks";
import {
  backOffStatement,
  type ClaimedTask,
  claimBuiltinStatement,
  extendBuiltinLease,
} from "../../db/queries/workflow-tasks";
import { findWorkflowById } from "../../db/queries/workflows";
import { backgroundCore } from "../../platform/context";
import { randomToken } from "../../platform/crypto";
import { AppError } from "../../platform/errors";
import type { CoreContext } from "../context";
import { readImageBytes } from "../media/image-input";
import { generatedCharacterKey } from "../media/storage-keys";
import { drawFrame } from "../renderer/client";
import { putCharacterImage } from "../studio/characters";
import { drawStoryboardImage } from "../studio/storyboard-images";
import { prepareTaskUpdates } from "../tasks/engine";
import { type ExecutionContext, type ExecutionResult, PermanentError } from "./executor-types";
import { readOptions } from "./options";
import { startRenderStep } from "./render-step";
import { pokeWorkflows } from "./run-stub";
import { parseScriptStep } from "./script-step";
import { parseItemRef } from "./templates";

export { PermanentError };

/**
 * The built-in executors of workflow tasks, run by the queue consumer: script parsing, character
 * and storyboard images (built-in generator) and the video export. Each claims its task by id under
 * a lease, does the work, and completes the task in the same D1 batch that records the result, so
 * a result without a completed task (or the reverse) cannot exist. A failed attempt backs off and
 * is retried; the last one fails the task with the reason, which fails the step.
 */
export const BUILTIN_LEASE_MS = 3 * 60_000;
export const BUILTIN_ATTEMPTS = 3;

export type Outcome =
  | { kind: "done" }
  | { kind: "skipped"; reason: string }
  | { kind: "retry"; delaySeconds: number };

export function retryDelaySeconds(env: Env, attempt: number): number {
  const base = Math.max(1, Number(env.WORKFLOW_RETRY_BASE_SECONDS) || 5);
  return Math.min(300, base * 2 ** Math.max(0, attempt - 1));
}

async function drawCharacter(ex: ExecutionContext): Promise<ExecutionResult> {
  const { ctx, task, workflow } = ex;
  const ref = parseItemRef(task.itemRef);
  const ch = ref ? await findCharacter(ctx.db, task.ownerId, ref.id) : undefined;
  if (!ch) return { output: { skipped: "the character was deleted" }, statements: [] };
  const options = readOptions(workflow.options);
  if (ch.imageKey && (ch.source === "upload" || !options.regenerate_images)) {
    return { output: { skipped: "the character already has an image", character_id: ch.id }, statements: [] };
  }
  const { width, height } = canvasSize("720p", "3:4");
  const png = await drawFrame(ctx.env, {
    width,
    height,
    style: options.style ?? "cinematic",
    title: ch.name,
    text: ch.description ?? "",
    reference_images: [],
    seed: ch.id % 1_000_000,
  });
  const key = generatedCharacterKey(task.ownerId, ch.projectId, ch.id, `task-${task.id}`);
  const stored = await putCharacterImage(ctx, key, await readImageBytes(png));
  const update = setGeneratedImageStatement(ctx.db, ch.id, stored, ctx.now);
  return {
    output: { character_id: ch.id, image_key: key },
    statements: [update],
    obsoleteKeys: ch.imageKey && ch.imageKey !== key ? [ch.imageKey] : [],
    orphanKeys: [key],
  };
}

async function drawStoryboard(ex: ExecutionContext): Promise<ExecutionResult> {
  const { ctx, task, workflow } = ex;
  const ref = parseItemRef(task.itemRef);
  const sb = ref ? await findStoryboard(ctx.db, task.ownerId, ref.id) : undefined;
  if (!sb) return { output: { skipped: "the storyboard was deleted" }, statements: [] };
  const options = readOptions(workflow.options);
  if (sb.imageKey && (sb.imageSource === "upload" || !options.regenerate_images)) {
    return {
      output: { skipped: "the storyboard already has an image", storyboard_id: sb.id },
      statements: [],
    };
  }
  const project = await findStudioProject(ctx.db, task.ownerId, sb.projectId);
  if (!project) throw new PermanentError("The project was deleted");
  const style = options.style ?? "cinematic";
  const started = Date.now();
  const placed = await drawStoryboardImage(
    ctx,
    task.ownerId,
    sb,
    project.aspectRatio,
    style,
    `task-${task.id}`,
  );
  const update = updateStoryboardStatement(
    ctx.db,
    task.ownerId,
    sb.id,
    {
      status: "completed",
      style,
      imageKey: placed.key,
      imageSource: "generated",
      consistencyScore: placed.score,
      processingMs: Date.now() - started,
      error: null,
    },
    Date.now(),
    sql`(image_source IS NOT 'upload' OR image_key IS NULL)`,
  );
  return {
    output: { storyboard_id: sb.id, image_key: placed.key, consistency_score: placed.score },
    statements: [update],
    obsoleteKeys: sb.imageKey && sb.imageKey !== placed.key ? [sb.imageKey] : [],
    orphanKeys: [placed.key],
  };
}

function execute(ex: ExecutionContext): Promise<ExecutionResult> {
  const { task } = ex;
  if (task.parentTaskId === null) {
    if (task.step === "script_parsing") return parseScriptStep(ex);
    if (task.step === "video_rendering") return startRenderStep(ex);
    throw new PermanentError(`Step ${task.step} is not run by an executor`);
  }
  if (task.taskType === "character_image") return drawCharacter(ex);
  if (task.taskType === "storyboard_image") return drawStoryboard(ex);
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
  const ctx = backgroundCore(env);
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

  let result: ExecutionResult;
  try {
    result = await execute({ ctx, task, workflow });
  } catch (err) {
    const message = messageOf(err);
    const permanent = err instanceof PermanentError || (err instanceof AppError && err.status < 500);
    if (!permanent && task.attempts < BUILTIN_ATTEMPTS) {
      const delaySeconds = retryDelaySeconds(env, task.attempts);
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
  ctx: CoreContext,
  task: ClaimedTask,
  leaseToken: string,
  end: { status: "completed" | "failed"; output?: Record<string, unknown>; error?: string },
  statements: BatchItem<"sqlite">[] = [],
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
    await ctx.db.batch([...prepared.statements, ...statements] as [
      BatchItem<"sqlite">,
      ...BatchItem<"sqlite">[],
    ]);
    await pokeWorkflows(ctx.env, [task.workflowId]);
    return true;
  } catch (err) {
    if (isGuardAbort(err) || (err instanceof AppError && err.code === "BAD_REQUEST")) return false;
    throw err;
  }
}
