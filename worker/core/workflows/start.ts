import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { isUniqueViolation } from "../../db/errors";
import { listProjectStoryboards } from "../../db/queries/storyboards";
import { findStudioProject } from "../../db/queries/studio-projects";
import {
  findWorkflow,
  insertWorkflow,
  linkPipelineProjectStatement,
  listWorkflows,
  updateWorkflowStatement,
  type WorkflowRow,
} from "../../db/queries/workflows";
import { rawRun } from "../../db/raw";
import type { WorkflowStatus, WorkflowType } from "../../db/schema/studio";
import { AppError, badRequest, conflict, notFound } from "../../platform/errors";
import type { CoreContext } from "../context";
import { prepareProjectCreation } from "../pipeline/projects";
import { parseScript, ScriptLimitError } from "../studio/script-parser";
import { runTaskBatch, type TaskSpec } from "../tasks/engine";
import type { WorkflowOptions } from "./options";
import { workflowRun } from "./run-stub";
import { scriptTextOf } from "./script-step";
import { type Generator, TEMPLATES } from "./templates";

/**
 * Starting a studio workflow: the workflow row, then in one batch its pipeline project
 * with one task per step of the template (each depending on the one before), the link between them
 * and the studio project moving to `in_progress`. The WorkflowRun object takes over from there.
 */
export async function startWorkflow(
  ctx: CoreContext,
  ownerId: number,
  input: {
    project_id: string;
    workflow_type: WorkflowType;
    generator?: Generator | undefined;
    options?: WorkflowOptions | undefined;
  },
): Promise<WorkflowRow> {
  const project = await findStudioProject(ctx.db, ownerId, input.project_id);
  if (!project) throw notFound("Project");
  const steps = TEMPLATES[input.workflow_type];
  if (steps.includes("script_parsing")) assertParsable(scriptTextOf(project));
  if (
    input.workflow_type === "render" &&
    (await listProjectStoryboards(ctx.db, ownerId, project.id)).length === 0
  ) {
    throw badRequest(
      "The project has no storyboards to render: create them or run a storyboard workflow first",
    );
  }

  let workflow: WorkflowRow;
  try {
    workflow = await insertWorkflow(
      ctx.db,
      {
        ownerId,
        projectId: project.id,
        workflowType: input.workflow_type,
        generator: input.generator ?? "builtin",
        options: input.options ?? {},
        currentStep: steps[0] as string,
      },
      ctx.now,
    );
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw conflict(
        "A workflow is already running on this project: wait for it, or pause or cancel it first",
      );
    }
    throw err;
  }

  const specs: TaskSpec[] = steps.map((step, i) => ({
    task_type: step,
    workflow_id: workflow.id,
    step,
    dependencies: i === 0 ? [] : [{ index: i - 1 }],
  }));
  try {
    const creation = await prepareProjectCreation(ctx, ownerId, {
      name: `${project.name} · ${input.workflow_type} #${workflow.id}`,
      project_type: input.workflow_type,
      initial_parameters: {
        studio_project_id: project.id,
        workflow_id: workflow.id,
        generator: workflow.generator,
      },
      tasks: specs,
      studioWorkflowId: workflow.id,
    });
    await runTaskBatch(() =>
      ctx.db.batch([
        ...(creation.statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]),
        linkPipelineProjectStatement(ctx.db, workflow.id, creation.ref, ctx.now),
        rawRun(
          ctx.db,
          sql`UPDATE studio_projects SET status = 'in_progress', updated_at = ${ctx.now}
            WHERE id = ${project.id} AND owner_id = ${ownerId} AND status = 'draft'`,
        ),
      ]),
    );
  } catch (err) {
    await updateWorkflowStatement(
      ctx.db,
      workflow.id,
      { status: "failed", error: "The workflow could not be started" },
      Date.now(),
    );
    throw err;
  }
  await workflowRun(ctx.env, workflow.id).start(workflow.id);
  return (await findWorkflow(ctx.db, ownerId, workflow.id)) ?? workflow;
}

/**
 * A workflow that parses a script is refused up front if the script cannot be parsed: none at all
 * (400), or more speakers than a script may have (422 naming the limit; the step itself fails with
 * the same reason if the script grows past it after the workflow was accepted).
 */
function assertParsable(text: string): void {
  if (!text) {
    throw badRequest(
      "The project has no script to parse: add one with PUT /api/v1/projects/{project_id} (a description alone also works as a one-scene script)",
    );
  }
  try {
    parseScript(text);
  } catch (err) {
    if (!(err instanceof ScriptLimitError)) throw err;
    throw new AppError("VALIDATION_ERROR", err.message, {
      fieldErrors: [{ field: "project.script", message: err.message }],
    });
  }
}

export async function getOwnWorkflow(ctx: CoreContext, ownerId: number, id: number): Promise<WorkflowRow> {
  const row = await findWorkflow(ctx.db, ownerId, id);
  if (!row) throw notFound("Workflow");
  return row;
}

export function listOwnWorkflows(
  ctx: CoreContext,
  ownerId: number,
  q: { project_id?: string | undefined; status?: WorkflowStatus | undefined; skip: number; limit: number },
) {
  return listWorkflows(ctx.db, ownerId, {
    projectId: q.project_id,
    status: q.status,
    skip: q.skip,
    limit: q.limit,
  });
}
