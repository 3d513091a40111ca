import {
  findStudioProjectDetail,
  insertStudioProject,
  listStudioProjects,
  softDeleteStudioProject,
  updateStudioProject,
} from "../../db/queries/studio-projects";
import { liveWorkflowIds } from "../../db/queries/workflows";
import type { AspectRatio, StudioProjectStatus } from "../../db/schema/studio";
import { notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { projectPrefix } from "../media/storage-keys";
import { enqueueOutbox } from "../outbox";
import { workflowRun } from "../workflows/run-stub";

/**
 * Studio projects. Every function takes the owner: another user's project is
 * indistinguishable from one that does not exist. Status is never set by clients; it follows the
 * project's workflows (draft → in_progress → completed).
 */
export async function createProject(
  ctx: AppContext,
  ownerId: number,
  input: {
    name: string;
    description?: string | null | undefined;
    aspect_ratio: AspectRatio;
    script?: string | null | undefined;
  },
) {
  return insertStudioProject(
    ctx.db,
    ownerId,
    {
      id: crypto.randomUUID(),
      name: input.name,
      description: input.description ?? null,
      aspectRatio: input.aspect_ratio,
      script: input.script ?? null,
    },
    ctx.now,
  );
}

export async function listProjects(
  ctx: AppContext,
  ownerId: number,
  query: { skip: number; limit: number; status?: StudioProjectStatus | undefined },
) {
  return listStudioProjects(ctx.db, ownerId, query);
}

export async function getProjectDetail(ctx: AppContext, ownerId: number, id: string) {
  const detail = await findStudioProjectDetail(ctx.db, ownerId, id);
  if (!detail) throw notFound("Project");
  return detail;
}

export async function updateProject(
  ctx: AppContext,
  ownerId: number,
  id: string,
  input: {
    name?: string | undefined;
    description?: string | null | undefined;
    script?: string | null | undefined;
    aspect_ratio?: AspectRatio | undefined;
  },
) {
  const patch: Parameters<typeof updateStudioProject>[3] = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.description !== undefined) patch.description = input.description;
  if (input.script !== undefined) patch.script = input.script;
  if (input.aspect_ratio !== undefined) patch.aspectRatio = input.aspect_ratio;
  const row = await updateStudioProject(ctx.db, ownerId, id, patch, ctx.now);
  if (!row) throw notFound("Project");
  return row;
}

/**
 * Soft delete; the project's media in R2 is removed by a queued cleanup job. Its characters and
 * storyboards become unreachable with it (their queries require a live project), and its live
 * workflows are cancelled, so no generation keeps drawing into the deleted project (an item that
 * was drawing loses its lease, and its image is removed instead of kept).
 */
export async function deleteProject(ctx: AppContext, ownerId: number, id: string) {
  const live = await liveWorkflowIds(ctx.db, ownerId, id);
  const result = await softDeleteStudioProject(ctx.db, ownerId, id, projectPrefix(ownerId, id), ctx.now);
  if (!result.deleted) throw notFound("Project");
  await Promise.all(
    live.map((workflowId) =>
      workflowRun(ctx.env, workflowId)
        .control(workflowId, "cancel")
        .catch((err: unknown) =>
          // The workflow then fails on its own: every step finds its project or items gone.
          console.warn(
            JSON.stringify({
              level: "warn",
              msg: "cancel on project delete failed",
              workflowId,
              err: String(err),
            }),
          ),
        ),
    ),
  );
  await enqueueOutbox(ctx, result.outboxIds);
}
