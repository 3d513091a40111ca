import * as projects from "../../core/projects/studio-projects";
import type { studioProjects } from "../../db/schema";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { iso } from "../../platform/time";
import * as routes from "./routes";

type ProjectRow = typeof studioProjects.$inferSelect;

export function projectOut(p: ProjectRow) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    aspect_ratio: p.aspectRatio,
    status: p.status,
    created_at: iso(p.createdAt),
    updated_at: iso(p.updatedAt),
  };
}

export const projectsRouter = createRouter()
  .openapi(routes.createProject, async (c) => {
    const row = await projects.createProject(contextOf(c), principalOf(c).userId, c.req.valid("json"));
    return c.json(projectOut(row), 200);
  })
  .openapi(routes.listProjects, async (c) => {
    const { total, items } = await projects.listProjects(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("query"),
    );
    return c.json({ total, items: items.map(projectOut) }, 200);
  })
  .openapi(routes.getProject, async (c) => {
    const detail = await projects.getProjectDetail(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").project_id,
    );
    return c.json(
      {
        ...projectOut(detail.project),
        script: detail.project.script,
        // Images arrive with character uploads and storyboard generation (issue 5).
        characters: detail.characters.map((ch) => ({ id: ch.id, name: ch.name, image_url: null })),
        storyboards: detail.storyboards.map((sb) => ({
          id: sb.id,
          scene_number: sb.sceneNumber,
          description: sb.description,
          image_url: null,
        })),
      },
      200,
    );
  })
  .openapi(routes.updateProject, async (c) => {
    const row = await projects.updateProject(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").project_id,
      c.req.valid("json"),
    );
    return c.json({ ...projectOut(row), script: row.script }, 200);
  })
  .openapi(routes.deleteProject, async (c) => {
    await projects.deleteProject(contextOf(c), principalOf(c).userId, c.req.valid("param").project_id);
    return c.json({ message: "Project deleted successfully" }, 200);
  });
