import { buildApp } from "../../worker/entries/app";
import { handleQueue } from "../../worker/entries/queue";
import { runScheduled } from "../../worker/entries/scheduled";
import { baselinesRouter } from "./baselines";
import { workflowBenchRoute } from "./workflow-run";

export { AccountQuota, RateLimiter } from "../../worker/index";
// The WorkflowRun host's benchmark subclass, under the deployed class's name and binding.
export { BenchWorkflowRun as WorkflowRun } from "./workflow-run";

/**
 * The bench Worker (`wrangler dev --env bench`, started by bench/*): the deployed app with the
 * benchmarks' baseline routes mounted on it, behind the same global middleware (request id, CORS,
 * body limit) as before, so a baseline costs what it did, and the WebSocket benchmark's publish
 * trigger in front. Never deployed: nothing under worker/ imports bench/.
 */
const app = buildApp();
app.route("/", baselinesRouter);

export default {
  async fetch(request, env, ctx) {
    return (await workflowBenchRoute(request, env)) ?? app.fetch(request, env, ctx);
  },

  async queue(batch, env, _ctx) {
    await handleQueue(batch, env);
  },

  async scheduled(controller, env, ctx) {
    ctx.waitUntil(runScheduled(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
