import worker from "../../worker/index";
import { workflowBenchRoute } from "./workflow-run";

/**
 * A Worker entry for `npm run bench:ws` only (wrangler dev takes it in place of `main`): the
 * deployed Worker, with the WorkflowRun class replaced by its benchmark subclass (the same binding
 * and class name, so the configuration is unchanged) and the benchmark's trigger route in front.
 * Nothing under worker/ imports it.
 */
export { AccountQuota, RateLimiter } from "../../worker/index";
export { BenchWorkflowRun as WorkflowRun } from "./workflow-run";

export default {
  ...worker,
  async fetch(request, env, ctx) {
    return (await workflowBenchRoute(request, env)) ?? worker.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<Env>;
