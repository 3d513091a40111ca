import type { Statement } from "../../db/client";
import type { TaskRow } from "../../db/queries/tasks";
import type { AppContext } from "../context";
import { stepOf } from "./steps";

/** A studio workflow item (a fan-out step's child task of the step's item type). */
export function isWorkflowItem(
  task: Pick<TaskRow, "workflowId" | "parentTaskId" | "taskType" | "step">,
): boolean {
  if (task.workflowId === null || task.parentTaskId === null) return false;
  const def = stepOf(task.step);
  return def?.kind === "fanout" && def.items.taskType === task.taskType;
}

/**
 * A worker completes a workflow item with what it made (`task_output`): the item's step checks it
 * and returns the statements that record it, run in the batch that completes the task — or
 * refuses the completion with an error, and nothing changes.
 */
export async function prepareItemCompletion(
  ctx: AppContext,
  task: TaskRow,
  output: Record<string, unknown> | null | undefined,
): Promise<Statement[]> {
  const def = stepOf(task.step);
  if (def?.kind !== "fanout" || !def.items.accept) return [];
  return def.items.accept(ctx, task, output);
}
