import { WorkflowRun } from "../../durable-objects/workflow-run/workflow-run";
import { numberFrames } from "../../worker/core/workflows/run/state";
import { stepCatalog } from "../../worker/core/workflows/steps";

/**
 * The WorkflowRun host with what the WebSocket benchmark needs and nothing deployed has: it
 * publishes progress frames through the object's ordinary path (numbered by the run's core,
 * persisted, then sent to every socket), one call under the lock each, as a workflow would.
 */
export class BenchWorkflowRun extends WorkflowRun {
  /** Publishes `count` frames `intervalMs` apart; answers how many sockets were open. */
  async benchPublish(workflowId: number, count: number, intervalMs: number): Promise<number> {
    if (!(await this.snapshot(workflowId))) return 0;
    for (let i = 0; i < count; i++) {
      await this.lock(async () => {
        const state = this.memory.state;
        if (!state) return;
        const draft = {
          type: "progress_update" as const,
          message: `bench ${i + 1}/${count}`,
          bench: i,
          sent_at: Date.now(),
        };
        const frames = numberFrames(state, this.memory.items.values(), [draft], stepCatalog, Date.now());
        this.persist(state, [], frames);
        this.broadcast(frames);
      });
      if (intervalMs > 0) await new Promise((r) => setTimeout(r, intervalMs));
    }
    return this.ctx.getWebSockets().length;
  }
}

/** `POST /__bench/workflows/{id}/publish?count=&interval_ms=`: the benchmark's trigger, or null for other paths. */
export async function workflowBenchRoute(request: Request, env: Env): Promise<Response | null> {
  const url = new URL(request.url);
  const match = /^\/__bench\/workflows\/(\d{1,12})\/publish$/.exec(url.pathname);
  if (!match || request.method !== "POST") return null;
  const id = Number(match[1]);
  const count = Math.min(1000, Number(url.searchParams.get("count") ?? 100));
  const interval = Math.min(1000, Number(url.searchParams.get("interval_ms") ?? 20));
  const stub = env.WORKFLOW_RUN.get(
    env.WORKFLOW_RUN.idFromName(`workflow:${id}`),
  ) as unknown as DurableObjectStub<BenchWorkflowRun>;
  const sockets = await stub.benchPublish(id, count, interval);
  return Response.json({ published: count, sockets });
}
