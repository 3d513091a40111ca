import { DurableObject } from "cloudflare:workers";

/**
 * Per platform-account daily quota (DESIGN §4). The binding and SQLite class exist from the
 * foundation; its behaviour is built with the automation API (issue 3) and until then it answers
 * 501 to anything it is sent.
 */
export class AccountQuota extends DurableObject<Env> {
  override async fetch(): Promise<Response> {
    return new Response("AccountQuota is not implemented yet", { status: 501 });
  }
}
