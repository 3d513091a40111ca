import { and, desc, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "../../db/client";
import { rawAll } from "../../db/raw";
import { workerConfigs } from "../../db/schema";
import { randomToken } from "../../platform/crypto";
import { assertPublicHttpUrl } from "../../platform/url-guard";

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
export async function resolveN8nTarget(
  env: Env,
  db: Database,
  ownerId: number,
  workflow: N8nWorkflow,
): Promise<string | null> {
  const [config] = await db
    .select({ data: workerConfigs.configData })
    .from(workerConfigs)
    .where(
      and(
        eq(workerConfigs.ownerId, ownerId),
        eq(workerConfigs.isActive, true),
        eq(workerConfigs.configType, "n8n_workflow"),
        eq(workerConfigs.workerType, workflow),
      ),
    )
    .orderBy(desc(workerConfigs.priority), desc(workerConfigs.id))
    .limit(1);
  const configured = config?.data.webhook_url;
  const candidate = typeof configured === "string" && configured ? configured : env[ENV_URL[workflow]];
  if (!candidate) return null;
  try {
    return assertPublicHttpUrl(candidate, { allowPrivate: allowPrivateWebhookUrls(env) }).toString();
  } catch {
    return null;
  }
}

export interface N8nTrigger {
  triggerId: string;
  url: string | null;
}

export async function newTrigger(
  env: Env,
  db: Database,
  ownerId: number,
  workflow: N8nWorkflow,
): Promise<N8nTrigger> {
  return { triggerId: `trg_${randomToken(12)}`, url: await resolveN8nTarget(env, db, ownerId, workflow) };
}

/**
 * The outbox row of one trigger, for the batch that causes it: the trigger leaves only if the
 * change commits, and is sent (signed, retried, dead-lettered) by the jobs consumer. `body` may be
 * SQL, to name rows the same batch creates.
 */
export function n8nTriggerStatement(
  db: Database,
  input: { ownerId: number; workflow: N8nWorkflow; trigger: N8nTrigger; body: Record<string, unknown> | SQL },
  now: number,
) {
  const body = "getSQL" in input.body ? (input.body as SQL) : sql`json(${JSON.stringify(input.body)})`;
  return rawAll<{ id: number; status: string }>(
    db,
    sql`INSERT INTO outbox (owner_id, kind, dedupe_key, payload, status, attempts, target_url, created_at, updated_at)
      VALUES (${input.ownerId}, 'n8n_trigger', ${`n8n:${input.trigger.triggerId}`},
        json_object('workflow', ${input.workflow}, 'trigger_id', ${input.trigger.triggerId}, 'body', ${body}),
        ${input.trigger.url ? "pending" : "skipped"}, 0, ${input.trigger.url}, ${now}, ${now})
      RETURNING id, status`,
  );
}

/** Outbox ids to enqueue from a trigger statement's result (a skipped trigger has nowhere to go). */
export function triggerIds(result: unknown): number[] {
  return ((result as { id: number; status: string }[] | undefined) ?? [])
    .filter((r) => r.status === "pending")
    .map((r) => r.id);
}
