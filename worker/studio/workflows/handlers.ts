import {
  type ControlAction,
  liveStreamRequest,
  type WorkflowSnapshot,
} from "../../../contracts/workflow-run";
import { fromHundredths } from "../../core/billing/tiers";
import type { AppContext } from "../../core/context";
import type { Generator } from "../../core/workflows/options";
import { workflowRun } from "../../core/workflows/run-stub";
import {
  estimateWorkflow,
  getOwnWorkflow,
  listOwnWorkflows,
  startWorkflow,
} from "../../core/workflows/start";
import { type StepName, stepProvider } from "../../core/workflows/steps";
import type { WorkflowRow } from "../../db/queries/workflows";
import { AppError } from "../../platform/errors";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { iso } from "../../platform/time";
import { idempotentAnswer } from "../idempotent-answer";
import * as routes from "./routes";

export function workflowOut(w: WorkflowRow) {
  return {
    id: w.id,
    project_id: w.projectId,
    workflow_type: w.workflowType,
    generator: w.generator as Generator,
    status: w.status,
    current_step: (w.currentStep as StepName | null) ?? null,
    progress: w.progress,
    error: w.error,
    created_at: iso(w.createdAt),
    updated_at: iso(w.updatedAt),
  };
}

/** Calls the workflow's object; an object that cannot answer is a 503 with a retry hint, never a 500. */
export async function viaRun<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof AppError) throw err;
    console.error(JSON.stringify({ level: "error", msg: "WorkflowRun call failed", err: String(err) }));
    throw new AppError("SERVICE_UNAVAILABLE", "Live workflow state is unavailable right now; retry shortly", {
      retryAfter: 2,
    });
  }
}

function detailOut(s: WorkflowSnapshot, w: WorkflowRow) {
  const total = typeof w.quote?.total === "number" ? w.quote.total : 0;
  return {
    ...s,
    workflow_type: s.workflow_type as WorkflowRow["workflowType"],
    generator: s.generator as Generator,
    status: s.status as WorkflowRow["status"],
    current_step: s.current_step as StepName | null,
    steps: s.steps.map((st) => ({ ...st, name: st.name as StepName, provider: stepProvider(w, st.name) })),
    credits: {
      quoted: fromHundredths(total),
      reserved: fromHundredths(w.creditsReserved),
      charged: fromHundredths(w.creditsCharged),
    },
  };
}

/** Pause, resume, cancel or retry one of the caller's workflows; refusals are 404 or 409. */
async function controlWorkflow(ctx: AppContext, ownerId: number, id: number, action: ControlAction) {
  await getOwnWorkflow(ctx, ownerId, id);
  const result = await viaRun(() => workflowRun(ctx.env, id).control(id, action));
  if (result.code !== 200) throw new AppError(result.code === 404 ? "NOT_FOUND" : "CONFLICT", result.message);
  return { id, status: result.status as WorkflowRow["status"], message: result.message };
}

export const workflowsRouter = createRouter()
  .openapi(routes.startWorkflow, async (c) => {
    const ctx = contextOf(c);
    const body = c.req.valid("json");
    const out = await idempotentAnswer(c, "POST /api/v1/workflows", body, async () =>
      workflowOut(await startWorkflow(ctx, principalOf(c).userId, body)),
    );
    return c.json(out, 200);
  })
  .openapi(routes.estimateWorkflow, async (c) => {
    const q = await estimateWorkflow(contextOf(c), principalOf(c).userId, c.req.valid("json"));
    return c.json(
      {
        quote_id: q.quote_id,
        currency: "credits" as const,
        lines: q.lines.map((l) => ({
          ...l,
          step: l.step as StepName,
          unit_price: fromHundredths(l.unit_price),
          amount: fromHundredths(l.amount),
        })),
        generation: fromHundredths(q.generation),
        export: fromHundredths(q.export),
        total: fromHundredths(q.total),
      },
      200,
    );
  })
  .openapi(routes.listWorkflows, async (c) => {
    const { total, items } = await listOwnWorkflows(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("query"),
    );
    return c.json({ total, items: items.map(workflowOut) }, 200);
  })
  .openapi(routes.getWorkflow, async (c) => {
    const ctx = contextOf(c);
    const id = c.req.valid("param").workflow_id;
    await getOwnWorkflow(ctx, principalOf(c).userId, id);
    const snapshot = await viaRun(() => workflowRun(c.env, id).snapshot(id));
    if (!snapshot) throw new AppError("NOT_FOUND", "Workflow not found");
    // Read after the snapshot: the object's pass may just have settled the run's credits.
    const row = await getOwnWorkflow(ctx, principalOf(c).userId, id);
    return c.json(detailOut(snapshot, row), 200);
  })
  .openapi(routes.pauseWorkflow, async (c) =>
    c.json(
      await controlWorkflow(contextOf(c), principalOf(c).userId, c.req.valid("param").workflow_id, "pause"),
      200,
    ),
  )
  .openapi(routes.resumeWorkflow, async (c) =>
    c.json(
      await controlWorkflow(contextOf(c), principalOf(c).userId, c.req.valid("param").workflow_id, "resume"),
      200,
    ),
  )
  .openapi(routes.cancelWorkflow, async (c) =>
    c.json(
      await controlWorkflow(contextOf(c), principalOf(c).userId, c.req.valid("param").workflow_id, "cancel"),
      200,
    ),
  )
  .openapi(routes.retryWorkflow, async (c) =>
    c.json(
      await controlWorkflow(contextOf(c), principalOf(c).userId, c.req.valid("param").workflow_id, "retry"),
      200,
    ),
  )
  .openapi(routes.workflowEvents, async (c) => {
    const ctx = contextOf(c);
    const ownerId = principalOf(c).userId;
    const id = c.req.valid("param").workflow_id;
    await getOwnWorkflow(ctx, ownerId, id);
    const lastSeq = c.req.valid("query").last_seq ?? c.req.header("Last-Event-ID");
    const { url, headers } = liveStreamRequest("sse", id, ownerId, lastSeq);
    return viaRun(() => workflowRun(c.env, id).fetch(url, { headers }));
  });
