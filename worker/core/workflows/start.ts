import { runBatch } from "../../db/client";
import { isCheckViolation, isUniqueViolation } from "../../db/errors";
import { reserveQuoteStatements } from "../../db/queries/generation-jobs";
import { startStudioProjectStatement } from "../../db/queries/project-progress";
import { findStudioProject } from "../../db/queries/studio-projects";
import {
  findWorkflow,
  insertWorkflow,
  linkPipelineProjectStatement,
  listWorkflows,
  updateWorkflowStatement,
  type WorkflowRow,
} from "../../db/queries/workflows";
import type { WorkflowStatus, WorkflowType } from "../../db/schema/studio";
import { AppError, conflict, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { quoteWorkflow, storedChoices } from "../generation/quote";
import { prepareProjectCreation } from "../pipeline/projects";
import { runTaskBatch, type TaskSpec } from "../tasks/engine";
import type { Generator, WorkflowOptions } from "./options";
import { workflowRun } from "./run-stub";
import { stepOf, templateOf } from "./steps";

/** What a start and its estimate both take: the body of POST /workflows. */
interface WorkflowStart {
  project_id: string;
  workflow_type: WorkflowType;
  generator?: Generator | undefined;
  options?: WorkflowOptions | undefined;
}

/**
 * Starting a studio workflow: the workflow row, then in one batch its pipeline project
 * with one task per step of the template (each depending on the one before), the link between them
 * and the studio project moving to `in_progress`. The WorkflowRun object takes over from there.
 */
export async function startWorkflow(
  ctx: AppContext,
  ownerId: number,
  input: WorkflowStart & {
    /** A quote of POST /workflows/estimate: the start is refused if the quote changed since. */
    quote_id?: string | undefined;
  },
): Promise<WorkflowRow> {
  const project = await findStudioProject(ctx.db, ownerId, input.project_id);
  if (!project) throw notFound("Project");
  const { steps } = templateOf(input.workflow_type);
  // Each step refuses up front what it could never do (no script to parse, nothing to render).
  for (const [i, name] of steps.entries())
    await stepOf(name)?.check?.(ctx, ownerId, project, { first: i === 0 });
  const quote = await quoteWorkflow(ctx, ownerId, { ...input, steps });
  if (input.quote_id !== undefined && input.quote_id !== quote.quote_id)
    throw conflict("The quote changed since it was made (items, prices or providers): estimate again");

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
        providers: storedChoices(quote.choices),
        quote: {
          quote_id: quote.quote_id,
          lines: quote.lines,
          generation: quote.generation,
          export: quote.export,
          total: quote.total,
        },
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
      runBatch(ctx.db, [
        ...creation.statements,
        linkPipelineProjectStatement(ctx.db, workflow.id, creation.ref, ctx.now),
        startStudioProjectStatement(ctx.db, ownerId, project.id, ctx.now),
        // The quote's generation lines are reserved with the start: short credits refuse it (402).
        ...reserveQuoteStatements(
          ctx.db,
          { workflowId: workflow.id, ownerId, amount: quote.generation },
          ctx.now,
        ),
      ]),
    );
  } catch (err) {
    const short = isCheckViolation(err, "subscriptions_quota_within_total");
    await updateWorkflowStatement(
      ctx.db,
      workflow.id,
      {
        status: "failed",
        error: short ? "Not enough credits for the quote" : "The workflow could not be started",
      },
      Date.now(),
    );
    if (short)
      throw new AppError(
        "QUOTA_EXCEEDED",
        `Not enough credits: this workflow's generation is quoted at ${(quote.generation / 100).toFixed(2)} credits (POST /api/v1/workflows/estimate)`,
      );
    throw err;
  }
  await workflowRun(ctx.env, workflow.id).start(workflow.id);
  return (await findWorkflow(ctx.db, ownerId, workflow.id)) ?? workflow;
}

export async function getOwnWorkflow(ctx: AppContext, ownerId: number, id: number): Promise<WorkflowRow> {
  const row = await findWorkflow(ctx.db, ownerId, id);
  if (!row) throw notFound("Workflow");
  return row;
}

export function listOwnWorkflows(
  ctx: AppContext,
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

/** `POST /workflows/estimate`: the quote of a start with the same body, without starting anything. */
export async function estimateWorkflow(ctx: AppContext, ownerId: number, input: WorkflowStart) {
  const { steps } = templateOf(input.workflow_type);
  return quoteWorkflow(ctx, ownerId, { ...input, steps });
}
