import type { PipelineProjectRow } from "../../db/queries/pipeline-projects";
import type { TaskRow } from "../../db/queries/tasks";
import { storedJson } from "../../platform/json-schema";
import { iso } from "../../platform/time";
import { taskOut } from "../tasks/mapper";

export function projectOut(p: PipelineProjectRow) {
  return {
    id: p.id,
    name: p.name,
    project_type: p.projectType,
    status: p.status,
    initial_parameters: storedJson(p.initialParameters, null),
    inspiration_id: p.inspirationId,
    score: p.score,
    score_details: storedJson(p.scoreDetails, null),
    review_notes: p.reviewNotes,
    used_transform_workflow_id: p.usedTransformWorkflowId,
    used_execution_workflow_id: p.usedExecutionWorkflowId,
    total_tasks: p.totalTasks,
    completed_tasks: p.completedTasks,
    failed_tasks: p.failedTasks,
    output_asset_id: p.outputAssetId,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export function projectDetailOut(p: { project: PipelineProjectRow; tasks: TaskRow[] }, now: number) {
  return { ...projectOut(p.project), tasks: p.tasks.map((t) => taskOut(t, now)) };
}
