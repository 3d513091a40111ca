/**
 * What sockets receive (seed 000 §WebSocket API plus the frames of DESIGN §4). Every frame carries
 * `seq` (strictly increasing per workflow, so a client can tell a gap and reconnect with
 * `?last_seq=`), the workflow id, its progress and current step, and an ISO timestamp.
 */
export const FRAME_TYPES = [
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

export interface Frame {
  type: FrameType;
  seq: number;
  workflow_id: number;
  status: string;
  progress: number;
  current_step: string | null;
  message?: string;
  timestamp: string;
  [key: string]: unknown;
}

/** Close codes of refused or ended sockets (4000-4999 are the application's). */
export const CLOSE = {
  unauthorized: 4401,
  forbidden: 4403,
  notFound: 4404,
  tooManyConnections: 4429,
} as const;

/** How many frames are kept for replay after a reconnect. */
export const REPLAY_FRAMES = 2000;
