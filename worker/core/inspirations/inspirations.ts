import { type Database, runBatch, type Statement } from "../../db/client";
import { abortUnlessChanged, isGuardAbort } from "../../db/guard";
import {
  failUnreachableInspiration,
  findInspiration,
  type InspirationPatch,
  type InspirationRow,
  listInspirations,
  markInspirationGenerating,
  newInspirationStatements,
  softDeleteInspiration,
  updateInspirationStatement,
} from "../../db/queries/inspirations";
import { triggerIds } from "../../db/queries/outbox";
import type { InspirationStatus } from "../../db/schema/automation";
import { AppError, conflict, notFound } from "../../platform/errors";
import { jsonLimitProblem, storedJson } from "../../platform/json-schema";
import type { AppContext } from "../context";
import { type N8nTrigger, newTrigger, triggerStatement } from "../n8n/triggers";
import { enqueueOutbox } from "../outbox";
import { transitionError } from "../tasks/transitions";

/**
 * Inspirations: `draft → generating → pending_review → approved |
 * rejected`, plus `failed`. Creating or regenerating one triggers the n8n inspiration flow (the
 * delivered trigger moves it to `generating`); approving triggers project creation.
 */
const TRANSITIONS: Record<InspirationStatus, readonly InspirationStatus[]> = {
  draft: ["generating", "pending_review", "approved", "rejected", "failed"],
  generating: ["pending_review", "failed"],
  pending_review: ["approved", "rejected", "generating", "draft"],
  approved: [],
  rejected: ["generating", "draft"],
  failed: ["generating", "draft"],
};
const REVIEWABLE: readonly InspirationStatus[] = ["draft", "pending_review"];
const REGENERABLE: readonly InspirationStatus[] = ["draft", "pending_review", "rejected", "failed"];

export interface InspirationInput {
  title: string;
  description?: string | null | undefined;
  project_type_code?: string | null | undefined;
  source?: string | null | undefined;
  parameters?: Record<string, unknown> | null | undefined;
}

function triggerBody(
  row: Pick<InspirationRow, "title" | "description" | "projectTypeCode" | "source" | "parameters">,
) {
  return {
    title: row.title,
    description: row.description,
    project_type_code: row.projectTypeCode,
    source: row.source,
    parameters: storedJson(row.parameters, {}),
  };
}

export async function createInspiration(ctx: AppContext, ownerId: number, input: InspirationInput) {
  const trigger = await newTrigger(ctx, ownerId, "inspiration");
  const values = {
    title: input.title,
    description: input.description ?? null,
    projectTypeCode: input.project_type_code ?? null,
    source: input.source ?? null,
    parameters: input.parameters ?? {},
    status: "draft" as const,
  };
  const results = await runBatch(
    ctx.db,
    newInspirationStatements(
      ctx.db,
      ownerId,
      values,
      { ownerId, ...trigger },
      { triggerBody: triggerBody(values), callbackPrefix: `${ctx.origin}/api/webhooks/n8n/inspiration/` },
      ctx.now,
    ),
  );
  await enqueueOutbox(ctx, triggerIds(results[1]));
  const row = (results[0] as InspirationRow[])[0];
  if (!row) throw new Error("inspiration insert returned no row");
  return row;
}

export async function getInspiration(ctx: AppContext, ownerId: number, id: number) {
  const row = await findInspiration(ctx.db, ownerId, id);
  if (!row) throw notFound("Inspiration");
  return row;
}

export function listOwnInspirations(
  ctx: AppContext,
  ownerId: number,
  q: { skip: number; limit: number; status?: InspirationStatus | undefined },
) {
  return listInspirations(ctx.db, ownerId, q);
}

async function applyChange(
  ctx: AppContext,
  ownerId: number,
  current: InspirationRow,
  patch: InspirationPatch,
  trigger?: { trigger: N8nTrigger; body: Record<string, unknown> },
): Promise<InspirationRow> {
  // The update is guarded by the status we validated against; if someone changed it meanwhile the
  // guard aborts the batch, trigger included.
  const statements: Statement[] = [
    updateInspirationStatement(ctx.db, ownerId, current.id, current.status, patch, ctx.now),
    abortUnlessChanged(ctx.db, `inspiration:${current.id}`),
  ];
  if (trigger) statements.push(triggerStatement(ctx, ownerId, trigger.trigger, trigger.body));
  let results: unknown[];
  try {
    results = await runBatch(ctx.db, statements);
  } catch (err) {
    if (isGuardAbort(err)) throw conflict("The inspiration changed while this request was applied; retry");
    throw err;
  }
  if (trigger) await enqueueOutbox(ctx, triggerIds(results[2]));
  return (results[0] as InspirationRow[])[0] as InspirationRow;
}

export async function updateInspiration(
  ctx: AppContext,
  ownerId: number,
  id: number,
  input: Partial<InspirationInput> & {
    status?: InspirationStatus | undefined;
    score?: number | null | undefined;
    score_details?: Record<string, unknown> | null | undefined;
    review_notes?: string | null | undefined;
  },
) {
  const current = await getInspiration(ctx, ownerId, id);
  if (input.status === "approved") return approveInspiration(ctx, ownerId, id, input);
  if (
    input.status !== undefined &&
    input.status !== current.status &&
    !TRANSITIONS[current.status].includes(input.status)
  ) {
    throw transitionError(current.status, input.status);
  }
  const patch: InspirationPatch = {};
  if (input.title !== undefined) patch.title = input.title;
  if (input.description !== undefined) patch.description = input.description;
  if (input.project_type_code !== undefined) patch.projectTypeCode = input.project_type_code;
  if (input.source !== undefined) patch.source = input.source;
  if (input.parameters !== undefined) patch.parameters = input.parameters;
  if (input.status !== undefined) patch.status = input.status;
  if (input.score !== undefined) patch.score = input.score;
  if (input.score_details !== undefined) patch.scoreDetails = input.score_details;
  if (input.review_notes !== undefined) patch.reviewNotes = input.review_notes;
  return applyChange(ctx, ownerId, current, patch);
}

export async function deleteInspiration(ctx: AppContext, ownerId: number, id: number) {
  if (!(await softDeleteInspiration(ctx.db, ownerId, id, ctx.now))) throw notFound("Inspiration");
}

/** Approval (from draft or pending review) triggers the project-creation flow. */
export async function approveInspiration(
  ctx: AppContext,
  ownerId: number,
  id: number,
  input: { review_notes?: string | null | undefined; score?: number | null | undefined },
) {
  const current = await getInspiration(ctx, ownerId, id);
  if (!REVIEWABLE.includes(current.status)) throw transitionError(current.status, "approved");
  const trigger = await newTrigger(ctx, ownerId, "project_creation");
  const patch: InspirationPatch = { status: "approved" };
  if (input.review_notes !== undefined) patch.reviewNotes = input.review_notes;
  if (input.score !== undefined) patch.score = input.score;
  return applyChange(ctx, ownerId, current, patch, {
    trigger,
    body: {
      inspiration_id: current.id,
      ...triggerBody(current),
      review_notes: patch.reviewNotes ?? current.reviewNotes,
      score: patch.score ?? current.score,
      callback_url: `${ctx.origin}/api/webhooks/n8n/project_creation/${current.id}`,
    },
  });
}

export async function rejectInspiration(
  ctx: AppContext,
  ownerId: number,
  id: number,
  input: { review_notes?: string | null | undefined },
) {
  const current = await getInspiration(ctx, ownerId, id);
  if (!REVIEWABLE.includes(current.status)) throw transitionError(current.status, "rejected");
  const patch: InspirationPatch = { status: "rejected" };
  if (input.review_notes !== undefined) patch.reviewNotes = input.review_notes;
  return applyChange(ctx, ownerId, current, patch);
}

/** Regeneration merges the overrides into the parameters and triggers the inspiration flow again. */
export async function regenerateInspiration(
  ctx: AppContext,
  ownerId: number,
  id: number,
  input: { parameter_overrides?: Record<string, unknown> | undefined },
) {
  const current = await getInspiration(ctx, ownerId, id);
  if (!REGENERABLE.includes(current.status)) throw transitionError(current.status, "generating");
  const parameters = { ...storedJson(current.parameters, {}), ...(input.parameter_overrides ?? {}) };
  // Each part is within the limits; the merge could still outgrow the size limit.
  const problem = jsonLimitProblem(parameters);
  if (problem) {
    throw new AppError("VALIDATION_ERROR", "The merged parameters are too large", {
      fieldErrors: [{ field: "body.parameter_overrides", message: `merged with the parameters: ${problem}` }],
    });
  }
  const trigger = await newTrigger(ctx, ownerId, "inspiration");
  return applyChange(
    ctx,
    ownerId,
    current,
    { parameters, status: "draft", lastError: null },
    {
      trigger,
      body: {
        inspiration_id: current.id,
        ...triggerBody({ ...current, parameters }),
        callback_url: `${ctx.origin}/api/webhooks/n8n/inspiration/${current.id}`,
      },
    },
  );
}

/** A delivered inspiration trigger means n8n is generating. */
export async function inspirationTriggerDelivered(db: Database, payload: unknown, now: number) {
  const p = payload as { workflow?: string; body?: { inspiration_id?: unknown } };
  if (p.workflow !== "inspiration" || typeof p.body?.inspiration_id !== "number") return;
  await markInspirationGenerating(db, p.body.inspiration_id, now);
}

/** An inspiration trigger that could not be delivered leaves its inspiration failed, not hanging. */
export async function inspirationTriggerDead(db: Database, payload: unknown, now: number) {
  const p = payload as { workflow?: string; body?: { inspiration_id?: unknown } };
  if (p.workflow !== "inspiration" || typeof p.body?.inspiration_id !== "number") return;
  await failUnreachableInspiration(db, p.body.inspiration_id, now);
}
