import { randomToken } from "../../../contracts/crypto";
import type { Statement } from "../../db/client";
import { n8nTriggerStatement } from "../../db/queries/outbox";
import { findN8nWebhookUrl } from "../../db/queries/worker-configs";
import { assertPublicHttpUrl } from "../../platform/url-guard";
import type { AppContext } from "../context";

/** The three n8n flows of the automation API, named as the `worker_type` of their worker config. */
export type N8nWorkflow = "inspiration" | "project_creation" | "project_execution";

const ENV_URL = {
  inspiration: "N8N_WEBHOOK_URL_INSPIRATION",
  project_creation: "N8N_WEBHOOK_URL_PROJECT_CREATION",
  project_execution: "N8N_WEBHOOK_URL_PROJECT_EXECUTION",
} as const satisfies Record<N8nWorkflow, keyof Env>;

export function allowPrivateWebhookUrls(env: Env): boolean {
  return env.ALLOW_PRIVATE_WEBHOOK_URLS === "true";
}

/**
 * Where a flow is triggered: the owner's highest-priority active worker config with
 * `config_type = "n8n_workflow"` and `worker_type` = the flow, else the deployment's
 * N8N_WEBHOOK_URL_* variable, else nowhere (the trigger is recorded as skipped).
 */
async function resolveN8nTarget(
  ctx: AppContext,
  ownerId: number,
  workflow: N8nWorkflow,
): Promise<string | null> {
  const candidate = (await findN8nWebhookUrl(ctx.db, ownerId, workflow)) ?? ctx.env[ENV_URL[workflow]];
  if (!candidate) return null;
  try {
    return assertPublicHttpUrl(candidate, { allowPrivate: allowPrivateWebhookUrls(ctx.env) }).toString();
  } catch {
    return null;
  }
}

export interface N8nTrigger {
  workflow: N8nWorkflow;
  triggerId: string;
  url: string | null;
}

export async function newTrigger(
  ctx: AppContext,
  ownerId: number,
  workflow: N8nWorkflow,
): Promise<N8nTrigger> {
  return {
    workflow,
    triggerId: `trg_${randomToken(12)}`,
    url: await resolveN8nTarget(ctx, ownerId, workflow),
  };
}

/** The trigger's outbox row, for the batch of the change that causes it. */
export function triggerStatement(
  ctx: AppContext,
  ownerId: number,
  trigger: N8nTrigger,
  body: Record<string, unknown>,
): Statement {
  return n8nTriggerStatement(ctx.db, { ownerId, ...trigger }, body, ctx.now);
}
