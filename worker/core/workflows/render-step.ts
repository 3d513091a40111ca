import { type ExecutionContext, type ExecutionResult, PermanentError } from "./executor-types";

/** `video_rendering`: an export through the renderer (DESIGN §7). */
export async function startRenderStep(_ex: ExecutionContext): Promise<ExecutionResult> {
  throw new PermanentError("Video export is not available yet");
}
