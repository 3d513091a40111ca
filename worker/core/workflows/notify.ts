import { eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { pipelineProjects, tasks } from "../../db/schema";
import { dbOf } from "../../platform/context";
import { pokeWorkflows } from "./run-stub";

/** After a request changed tasks: their workflows' objects read the changes (after the response). */
export function notifyWorkflows(c: Context<AppEnv>, tasks: readonly { workflowId: number | null }[]): void {
  const ids = tasks.map((t) => t.workflowId).filter((id): id is number => id !== null);
  if (ids.length > 0) c.executionCtx.waitUntil(pokeWorkflows(c.env, ids));
}

/** The same when only a task or pipeline project id is at hand (n8n callbacks): looked up after the response. */
export function notifyWorkflowOf(
  c: Context<AppEnv>,
  target: { taskId: number } | { projectId: number },
): void {
  const db = dbOf(c.env);
  const lookup =
    "taskId" in target
      ? db.select({ id: tasks.workflowId }).from(tasks).where(eq(tasks.id, target.taskId))
      : db
          .select({ id: pipelineProjects.studioWorkflowId })
          .from(pipelineProjects)
          .where(eq(pipelineProjects.id, target.projectId));
  c.executionCtx.waitUntil(
    lookup
      .then((rows) =>
        pokeWorkflows(
          c.env,
          rows.map((r) => r.id),
        ),
      )
      .catch(() => undefined),
  );
}
