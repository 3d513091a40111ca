import * as projects from "../../core/pipeline/projects";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { ok } from "../envelope";
import { projectDetailOut, projectOut } from "./mapper";
import * as routes from "./routes";

export const pipelineProjectsRouter = createRouter()
  .openapi(routes.createProject, async (c) => {
    const ctx = contextOf(c);
    return ok(
      c,
      projectDetailOut(
        await projects.createProject(ctx, principalOf(c).userId, c.req.valid("json")),
        ctx.now,
      ),
    );
  })
  .openapi(routes.listProjects, async (c) => {
    const ctx = contextOf(c);
    const rows = await projects.listProjects(ctx, principalOf(c).userId, c.req.valid("query"));
    return ok(c, rows.map(projectOut));
  })
  .openapi(routes.getProject, async (c) => {
    const ctx = contextOf(c);
    const found = await projects.getProject(ctx, principalOf(c).userId, c.req.valid("param").project_id);
    return ok(c, projectDetailOut(found, ctx.now));
  })
  .openapi(routes.updateProject, async (c) => {
    const ctx = contextOf(c);
    const updated = await projects.updateProject(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").project_id,
      c.req.valid("json"),
    );
    return ok(c, projectDetailOut(updated, ctx.now));
  })
  .openapi(routes.deleteProject, async (c) => {
    await projects.deleteProject(contextOf(c), principalOf(c).userId, c.req.valid("param").project_id);
    return ok(c, { message: "Project deleted successfully" });
  })
  .openapi(routes.recalculateTasks, async (c) => {
    const ctx = contextOf(c);
    const found = await projects.recalculateTasks(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").project_id,
    );
    return ok(c, projectDetailOut(found, ctx.now));
  })
  .openapi(routes.regenerateProject, async (c) => {
    const result = await projects.regenerateProject(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").project_id,
      c.req.valid("json") ?? {},
    );
    return ok(c, { message: "Project regeneration workflow triggered", ...result });
  });
