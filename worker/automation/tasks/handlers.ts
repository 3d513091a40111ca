import type { Context } from "hono";
import { claimTask, heartbeat } from "../../core/tasks/claim";
import {
  applyTaskUpdates,
  createTasks,
  getTask,
  listOwnTasks,
  type TaskUpdate,
} from "../../core/tasks/engine";
import { notifyWorkflows } from "../../core/workflows/notify";
import { badRequest, notFound } from "../../platform/errors";
import type { AppEnv } from "../../platform/http/app-env";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { leaseRequired } from "../access";
import { noContent, ok } from "../envelope";
import { taskOut } from "./mapper";
import * as routes from "./routes";

async function update(c: Context<AppEnv>, updates: TaskUpdate[]) {
  const ctx = contextOf(c);
  const principal = principalOf(c);
  const applied = await applyTaskUpdates(ctx, principal.userId, updates, {
    leaseRequired: leaseRequired(principal),
  });
  notifyWorkflows({ env: c.env, defer: (w) => c.executionCtx.waitUntil(w) }, applied.tasks);
  return applied.tasks.map((t) => taskOut(t, ctx.now));
}

export const tasksRouter = createRouter()
  .openapi(routes.createTask, async (c) => {
    const ctx = contextOf(c);
    const { project_id, ...spec } = c.req.valid("json");
    const [task] = await createTasks(ctx, principalOf(c).userId, project_id, [spec]);
    if (!task) throw notFound("Project");
    return ok(c, taskOut(task, ctx.now));
  })
  .openapi(routes.batchCreateTasks, async (c) => {
    const ctx = contextOf(c);
    const { tasks } = c.req.valid("json");
    const projects = new Set(tasks.map((t) => t.project_id));
    if (projects.size !== 1) throw badRequest("All tasks of a batch belong to one project");
    const created = await createTasks(
      ctx,
      principalOf(c).userId,
      tasks[0]?.project_id ?? 0,
      tasks.map(({ project_id: _, ...spec }) => spec),
    );
    return ok(
      c,
      created.map((t) => taskOut(t, ctx.now)),
    );
  })
  .openapi(routes.claimTask, async (c) => {
    const ctx = contextOf(c);
    const outcome = await claimTask(ctx, principalOf(c).userId, c.req.valid("json"));
    if (outcome.kind === "none") return noContent(c, outcome.message);
    const { task, lease } = outcome;
    notifyWorkflows({ env: c.env, defer: (w) => c.executionCtx.waitUntil(w) }, [task]);
    return ok(c, {
      ...taskOut(task, ctx.now),
      lease_token: task.leaseToken ?? "",
      ...(lease
        ? {
            platform_account: {
              id: lease.view.row.id,
              platform: lease.view.row.platform,
              name: lease.view.row.name,
              credentials: lease.credentials,
              used_today: lease.view.quota.usedToday,
              remaining_quota: lease.view.quota.remaining,
            },
          }
        : {}),
    });
  })
  .openapi(routes.batchUpdateTasks, async (c) => {
    const { commit_ids, ...change } = c.req.valid("json");
    return ok(
      c,
      await update(
        c,
        [...new Set(commit_ids)].map((commitId) => ({ locator: { commitId }, ...change })),
      ),
    );
  })
  .openapi(routes.updateByCommitId, async (c) => {
    const { commit_id, ...change } = c.req.valid("json");
    const [task] = await update(c, [{ locator: { commitId: commit_id }, ...change }]);
    return ok(c, task ?? null);
  })
  .openapi(routes.listTasks, async (c) => {
    const ctx = contextOf(c);
    const q = c.req.valid("query");
    const rows = await listOwnTasks(ctx, principalOf(c).userId, {
      skip: q.skip,
      limit: q.limit,
      status: q.status,
      taskType: q.task_type,
      projectId: q.project_id,
    });
    return ok(
      c,
      rows.map((t) => taskOut(t, ctx.now)),
    );
  })
  .openapi(routes.getTask, async (c) => {
    const ctx = contextOf(c);
    const task = await getTask(ctx, principalOf(c).userId, c.req.valid("param").task_id);
    return ok(c, taskOut(task, ctx.now));
  })
  .openapi(routes.updateTask, async (c) => {
    const [task] = await update(c, [
      { locator: { id: c.req.valid("param").task_id }, ...c.req.valid("json") },
    ]);
    return ok(c, task ?? null);
  })
  .openapi(routes.heartbeat, async (c) => {
    const ctx = contextOf(c);
    const task = await heartbeat(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").task_id,
      c.req.valid("json"),
    );
    return ok(c, taskOut(task, ctx.now));
  });
