import { DurableObject } from "cloudflare:workers";

/**
 * Per-workflow live state and WebSocket fan-out (DESIGN §4). The binding and SQLite class exist
 * from the foundation so deployments never need a class migration; its behaviour is built with the
 * studio workflows (issue 5) and until then it answers 501 to anything it is sent.
 */
export class WorkflowRun extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    return new Response("WorkflowRun is not implemented yet", { status: 501 });
  }
}
