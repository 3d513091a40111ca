import { z } from "zod";

/**
 * What sockets receive (the progress frames of the WebSocket API, and the workflow's own). Every frame carries
 * `seq` (strictly increasing per workflow, so a client can tell a gap and reconnect with
 * `?last_seq=`), the workflow id, its progress and current step, and an ISO timestamp. Plain zod
 * with `.meta()`, which the OpenAPI generator reads like `.openapi()`: this module is shared by the
 * Worker, its Durable Object and anything else that reads frames, none of which needs Hono.
 */
const FRAME_TYPES = [
  "snapshot",
  "progress_update",
  "step_started",
  "step_completed",
  "step_failed",
  "workflow_completed",
  "workflow_failed",
  "workflow_paused",
  "workflow_resumed",
  "workflow_cancelled",
  "export_progress",
] as const;
export type FrameType = (typeof FRAME_TYPES)[number];

/** One frame, as documented in the OpenAPI document (and so typed in the SDKs). */
export const FrameSchema = z
  .object({
    type: z.enum(FRAME_TYPES),
    seq: z.number().int().meta({ description: "Strictly increasing per workflow" }),
    workflow_id: z.number().int(),
    status: z.string().meta({ example: "running" }),
    progress: z.number().meta({ example: 0.45, description: "0..1 over the whole workflow" }),
    current_step: z.string().nullable().meta({ example: "storyboard_generation" }),
    message: z.string().optional().meta({ example: "Generating storyboard 5/10" }),
    timestamp: z.string().meta({ example: "2026-02-08T10:05:00Z" }),
    step: z.string().optional(),
    error: z.string().nullable().optional(),
    items: z.record(z.string(), z.number()).optional(),
    export_id: z.number().int().optional(),
    export_progress: z.number().optional(),
    stage: z.string().optional(),
    eta_seconds: z.number().optional(),
  })
  .catchall(z.unknown())
  .meta({
    id: "ProgressFrame",
    description:
      "A live-progress frame (WebSocket message or SSE event). A `snapshot` also carries `workflow`: the body " +
      "of GET /api/v1/workflows/{id}, with its steps and item counts.",
  });
export type Frame = z.infer<typeof FrameSchema>;

/** Close codes of refused or ended sockets (4000-4999 are the application's). */
export const CLOSE = {
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooManyConnections: 4429,
} as const;

/** How many frames are kept for replay after a reconnect. */
export const REPLAY_FRAMES = 2000;
