import type { Principal } from "../core/auth/types";
import { requireAuth } from "../platform/http/auth-middleware";

/**
 * Who may call what on the automation API: operators hold `automation`, AI workers
 * `worker` (claims and their own task updates), n8n `webhooks`. A user's own JWT holds them all.
 */
export const operator = requireAuth(["automation"], "automationCredential");
export const workerOrOperator = requireAuth(["worker", "automation"], "automationCredential");
export const taskUpdater = requireAuth(["worker", "automation", "webhooks"], "automationCredential");
export const workerOnly = requireAuth(["worker"], "automationCredential");
export const n8nCallback = requireAuth(["webhooks"], "automationCredential");

/** A credential that can only act as a worker must prove its claim with the lease token. */
export function leaseRequired(principal: Principal): boolean {
  return !principal.scopes.includes("automation") && !principal.scopes.includes("webhooks");
}
