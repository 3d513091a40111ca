import { randomToken } from "../../../contracts/crypto";
import { claimNextTask, extendLease } from "../../db/queries/task-leases";
import { findTask, type TaskRow } from "../../db/queries/tasks";
import { badRequest, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { type Lease, releaseLease, reserveAnyAccount } from "../platform-accounts/accounts";
import { assertLeaseSeconds } from "./engine";

export type ClaimOutcome =
  | { kind: "claimed"; task: TaskRow; lease?: Lease | undefined }
  | { kind: "none"; message: string };

/**
 * Claims the next task of the given types under a fresh lease. With `platform`, one unit of an
 * available account's daily quota is reserved first (the AccountQuota object decides), and given
 * back if no task was claimed after all.
 */
export async function claimTask(
  ctx: AppContext,
  ownerId: number,
  input: {
    task_types: string[];
    lease_seconds?: number | undefined;
    worker_id?: string | undefined;
    platform?: string | undefined;
  },
): Promise<ClaimOutcome> {
  const leaseSeconds = assertLeaseSeconds(ctx.config, input.lease_seconds);
  let lease: Lease | undefined;
  if (input.platform) {
    lease = await reserveAnyAccount(ctx, ownerId, input.platform);
    if (!lease) return { kind: "none", message: `No ${input.platform} account has quota left today.` };
  }
  let task: TaskRow | undefined;
  try {
    task = await claimNextTask(ctx.db, {
      ownerId,
      taskTypes: input.task_types,
      now: ctx.now,
      leaseMs: leaseSeconds * 1000,
      leaseToken: randomToken(24),
      workerId: input.worker_id ?? null,
      platformAccountId: lease?.view.row.id ?? null,
      maxAttempts: ctx.config.tasks.maxAttempts,
    });
  } finally {
    if (!task && lease) await releaseLease(ctx, lease);
  }
  if (!task) return { kind: "none", message: "No pending tasks available for the given types." };
  return { kind: "claimed", task, lease };
}

/** Extends a lease held with `leaseToken`; a stale token is the documented 400 "Lease expired". */
export async function heartbeat(
  ctx: AppContext,
  ownerId: number,
  taskId: number,
  input: { lease_token: string; lease_seconds?: number | undefined },
): Promise<TaskRow> {
  const leaseSeconds = assertLeaseSeconds(ctx.config, input.lease_seconds);
  const row = await extendLease(ctx.db, {
    ownerId,
    taskId,
    leaseToken: input.lease_token,
    now: ctx.now,
    leaseMs: leaseSeconds * 1000,
  });
  if (row) return row;
  if (!(await findTask(ctx.db, ownerId, taskId))) throw notFound("Task");
  throw badRequest("Lease expired");
}
