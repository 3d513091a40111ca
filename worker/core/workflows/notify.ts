import type { Database } from "../../db/client";
import { workflowIdOfPipelineProject, workflowIdOfTask } from "../../db/queries/workflows";
import { pokeWorkflows } from "./run-stub";

/** Where a surface hands work that runs after its answer (a request's `waitUntil`). */
interface Deferrer {
  env: Env;
  defer(work: Promise<unknown>): void;
}

/** After a request changed tasks: their workflows' objects read the changes (after the response). */
export function notifyWorkflows(to: Deferrer, tasks: readonly { workflowId: number | null }[]): void {
  const ids = tasks.map((t) => t.workflowId).filter((id): id is number => id !== null);
  if (ids.length > 0) to.defer(pokeWorkflows(to.env, ids));
}

/** The same when only a task or pipeline project id is at hand (n8n callbacks): looked up after the response. */
export function notifyWorkflowOf(
  to: Deferrer & { db: Database },
  target: { taskId: number } | { projectId: number },
): void {
  const lookup =
    "taskId" in target
      ? workflowIdOfTask(to.db, target.taskId)
      : workflowIdOfPipelineProject(to.db, target.projectId);
  to.defer(lookup.then((id) => pokeWorkflows(to.env, [id])).catch(() => undefined));
}
