import type { BatchItem } from "drizzle-orm/batch";
import type { ClaimedTask } from "../../db/queries/workflow-tasks";
import type { WorkflowRow } from "../../db/queries/workflows";
import type { CoreContext } from "../context";

/** An error retrying cannot fix (no script, a deleted item): the task fails at once. */
export class PermanentError extends Error {}

export interface ExecutionResult {
  output: Record<string, unknown>;
  /** Statements that record the result; they run only if the task is still this executor's. */
  statements: BatchItem<"sqlite">[];
  /** R2 objects to remove once the batch committed (replaced images). */
  obsoleteKeys?: string[];
  /** R2 objects to remove if the batch did not commit (the task was lost meanwhile). */
  orphanKeys?: string[];
  /** Leave the task processing: something else completes it (the renderer's callbacks). */
  keepOpen?: boolean;
  /** With keepOpen: the task's lease lasts until then, so nothing runs it again meanwhile. */
  keepOpenUntil?: number;
}

export interface ExecutionContext {
  ctx: CoreContext;
  task: ClaimedTask;
  workflow: WorkflowRow;
}
