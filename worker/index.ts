import { buildApp } from "./entries/app";
import { handleQueue } from "./entries/queue";
import { runScheduled } from "./entries/scheduled";

export { AccountQuota } from "../durable-objects/account-quota/account-quota";
export { RateLimiter } from "../durable-objects/rate-limiter/rate-limiter";
export { WorkflowRun } from "../durable-objects/workflow-run/workflow-run";

const app = buildApp();

/** The deployed Worker: the fetch app, the queue consumers and the cron, composed in entries/. */
export default {
  fetch: app.fetch,

  async queue(batch, env, _ctx) {
    await handleQueue(batch, env);
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
