import type { Database } from "../../db/client";
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
import { projectPrefix } from "../media/storage-keys";
import { enqueueOutbox } from "../outbox";
import { workflowRun } from "../workflows/run-stub";

/**
 * Studio projects. Every function takes the owner: another user's project is
 * indistinguishable from one that does not exist. Status is never set by clients; it follows the
 * project's workflows (draft → in_progress → completed).
 */
export async function createProject(
  db: Database,
  ownerId: number,
  input: {
    name: string;
    description?: string | null | undefined;
    aspect_ratio: AspectRatio;
    script?: string | null | undefined;
  },
  now: number,
) {
  return insertStudioProject(
    db,
    ownerId,
    {
      id: crypto.randomUUID(),
      name: input.name,
      description: input.description ?? null,
      aspectRatio: input.aspect_ratio,
      script: input.script ?? null,
    },
    now,
  );
}

export async function listProjects(
  db: Database,
  ownerId: number,
  query: { skip: number; limit: number; status?: StudioProjectStatus | undefined },
) {
  return listStudioProjects(db, ownerId, query);
}

export async function getProjectDetail(db: Database, ownerId: number, id: string) {
  const detail = await findStudioProjectDetail(db, ownerId, id);
  if (!detail) throw notFound("Project");
  return detail;
}

export async function updateProject(
  db: Database,
  ownerId: number,
  id: string,
  input: {
    name?: string | undefined;
    description?: string | null | undefined;
    script?: string | null | undefined;
    aspect_ratio?: AspectRatio | undefined;
  },
  now: number,
) {
  const patch: Parameters<typeof updateStudioProject>[3] = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.description !== undefined) patch.description = input.description;
  if (input.script !== undefined) patch.script = input.script;
  if (input.aspect_ratio !== undefined) patch.aspectRatio = input.aspect_ratio;
  const row = await updateStudioProject(db, ownerId, id, patch, now);
  if (!row) throw notFound("Project");
  return row;
}

/**
 * Soft delete; the project's media in R2 is removed by a queued cleanup job. Its characters and
 * storyboards become unreachable with it (their queries require a live project), and its live
 * workflows are cancelled, so no generation keeps drawing into the deleted project (an item that
 * was drawing loses its lease, and its image is removed instead of kept).
 */
export async function deleteProject(env: Env, db: Database, ownerId: number, id: string, now: number) {
  const live = await liveWorkflowIds(db, ownerId, id);
  const result = await softDeleteStudioProject(db, ownerId, id, projectPrefix(ownerId, id), now);
  if (!result.deleted) throw notFound("Project");
  await Promise.all(
    live.map((workflowId) =>
      workflowRun(env, workflowId)
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
  await enqueueOutbox(env, db, result.outboxIds, now);
}
