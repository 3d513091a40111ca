import { z } from "zod";

/**
 * The RPC surface of the WorkflowRun Durable Object (one per workflow, addressed by
 * `workflow:{id}`), as the core calls it. The object is a host: it keeps the lock, its storage,
 * alarms and sockets, and answers every call through one core entry
 * (worker/core/workflows/run/). Callers depend on this file, never on the object's class.
 */
const CONTROL_ACTIONS = ["pause", "resume", "cancel", "retry"] as const;
export type ControlAction = (typeof CONTROL_ACTIONS)[number];

/** `code` 200 carries the workflow's new status; 404 and 409 explain the refusal in `message`. */
const ControlResultSchema = z.object({
  code: z.union([z.literal(200), z.literal(404), z.literal(409)]),
  status: z.string(),
  message: z.string(),
});
export type ControlResult = z.infer<typeof ControlResultSchema>;

/** A render's progress, from the renderer's events: becomes an `export_progress` frame. */
const ExportProgressSchema = z.object({
  export_id: z.number().int(),
  progress: z.number(),
  stage: z.string(),
  eta_seconds: z.number().optional(),
});
export type ExportProgress = z.infer<typeof ExportProgressSchema>;

const ItemCountsSchema = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  processing: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  cancelled: z.number().int(),
});

const STEP_STATUSES = ["pending", "running", "completed", "failed", "cancelled"] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The live state of a workflow: the body of GET /api/v1/workflows/{id} and of a `snapshot` frame. */
const WorkflowSnapshotSchema = z.object({
  id: z.number().int(),
  project_id: z.string(),
  workflow_type: z.string(),
  generator: z.string(),
  status: z.string(),
  current_step: z.string().nullable(),
  progress: z.number(),
  error: z.string().nullable(),
  steps: z.array(
    z.object({
      name: z.string(),
      status: z.enum(STEP_STATUSES),
      started_at: z.string().nullable(),
      completed_at: z.string().nullable(),
      error: z.string().nullable(),
      items: ItemCountsSchema,
    }),
  ),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
  last_seq: z.number().int(),
});
export type WorkflowSnapshot = z.infer<typeof WorkflowSnapshotSchema>;

export interface WorkflowRunRpc {
  /** The workflow has been created: its first step is dispatched. */
  start(workflowId: number): Promise<void>;
  /** Task changes are waiting in workflow_events: read them now (a lost poke costs seconds, not work). */
  poke(workflowId: number): Promise<void>;
  /** The live state, or null for a workflow that does not exist. */
  snapshot(workflowId: number): Promise<WorkflowSnapshot | null>;
  /** `reason`: why a pause happened (a run's `max_credits`), shown as the workflow's error until resumed. */
  control(workflowId: number, action: ControlAction, reason?: string): Promise<ControlResult>;
  exportProgress(workflowId: number, progress: ExportProgress): Promise<void>;
  /**
   * Opens a live stream: `https://workflow-run/ws` (WebSocket upgrade) or `/sse`, with the
   * `X-Workflow-Id` and `X-Owner-Id` headers of an owner already checked by the caller, and an
   * optional `?last_seq=` to replay from.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
}

/** The URL and headers of a live stream of a workflow, for `WorkflowRunRpc.fetch`. */
export function liveStreamRequest(
  kind: "ws" | "sse",
  workflowId: number,
  ownerId: number,
  lastSeq: string | undefined,
): { url: URL; headers: Record<string, string> } {
  const url = new URL(`https://workflow-run/${kind}`);
  if (lastSeq && /^\d{1,12}$/.test(lastSeq)) url.searchParams.set("last_seq", lastSeq);
  return {
    url,
    headers: {
      ...(kind === "ws" ? { Upgrade: "websocket" } : {}),
      "X-Workflow-Id": String(workflowId),
      "X-Owner-Id": String(ownerId),
    },
  };
}
