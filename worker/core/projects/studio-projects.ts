import type { Database } from "../../db/client";
import {
  findStudioProjectDetail,
  insertStudioProject,
  listStudioProjects,
  softDeleteStudioProject,
  updateStudioProject,
} from "../../db/queries/studio-projects";
import type { AspectRatio, StudioProjectStatus } from "../../db/schema/studio";
import { notFound } from "../../platform/errors";
import { projectPrefix } from "../media/storage-keys";
import { enqueueOutbox } from "../outbox";

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

/** Soft delete; the project's media in R2 is removed by a queued cleanup job. */
export async function deleteProject(env: Env, db: Database, ownerId: number, id: string, now: number) {
  const result = await softDeleteStudioProject(db, ownerId, id, projectPrefix(ownerId, id), now);
  if (!result.deleted) throw notFound("Project");
  await enqueueOutbox(env, db, result.outboxIds, now);
}
