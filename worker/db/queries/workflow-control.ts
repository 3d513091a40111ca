import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../client";
import { abortUnlessChanged } from "../guard";
import type { WorkflowStatus } from "../schema/studio";
import { rollupProjectStatement } from "./tasks";
import { cancelWorkflowTasksStatement, retryWorkflowTasksStatements } from "./workflow-tasks";
import { updateWorkflowStatement } from "./workflows";

/**
 * The D1 batch of each workflow control, guarded by the workflow's status (`allowedFrom`): a
 * control that lost a race with another aborts the whole batch (the guard raises) instead of
 * applying half. Pause and resume move the workflow row only (the claim and the executor read it);
 * cancel also cancels every unfinished task, retry puts failed ones back; both roll up the
 * pipeline project in the same batch.
 */
export function controlWorkflowStatements(
  db: Database,
  action: "pause" | "resume" | "cancel" | "retry",
  w: { workflowId: number; pipelineProjectId: number | null; allowedFrom: WorkflowStatus[]; now: number },
): [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]] {
  const { workflowId: id, now, allowedFrom } = w;
  const guard = abortUnlessChanged(db, `workflow:${id}`);
  const rollup =
    w.pipelineProjectId === null ? [] : [rollupProjectStatement(db, { id: w.pipelineProjectId }, now)];
  switch (action) {
    case "pause":
      return [updateWorkflowStatement(db, id, { status: "paused" }, now, allowedFrom), guard];
    case "resume":
      return [updateWorkflowStatement(db, id, { status: "running" }, now, allowedFrom), guard];
    case "cancel":
      return [
        updateWorkflowStatement(db, id, { status: "cancelled", completedAt: now }, now, allowedFrom),
        guard,
        cancelWorkflowTasksStatement(db, id, now),
        ...rollup,
      ];
    case "retry":
      return [
        updateWorkflowStatement(
          db,
          id,
          { status: "running", error: null, completedAt: null },
          now,
          allowedFrom,
        ),
        guard,
        ...retryWorkflowTasksStatements(db, id, now),
        ...rollup,
      ];
  }
}
