import { buildApp } from "./app";
import { consumeDeadLetters, consumeJobs } from "./jobs/consumer";
import { runScheduled } from "./scheduled";

export { AccountQuota } from "../durable-objects/account-quota/account-quota";
export { RateLimiter } from "../durable-objects/rate-limiter/rate-limiter";
export { WorkflowRun } from "../durable-objects/workflow-run/workflow-run";

const app = buildApp();

export default {
  fetch: app.fetch,

  async queue(batch, env, _ctx) {
    if (batch.queue.endsWith("-dlq")) await consumeDeadLetters(batch, env);
    else await consumeJobs(batch, env);
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
