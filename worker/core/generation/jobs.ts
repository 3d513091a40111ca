import { exponentialBackoff } from "../../../contracts/backoff";
import { runBatch, type Statement } from "../../db/client";
import { isCheckViolation } from "../../db/errors";
import { isGuardAbort } from "../../db/guard";
import {
  chargeStatements,
  findLatestJob,
  type GenerationJobRow,
  holdStatements,
  insertJob,
  moveJob,
  refundStatements,
} from "../../db/queries/generation-jobs";
import { findPlatformAccount, listActiveAccounts } from "../../db/queries/platform-accounts";
import {
  adapterFor,
  type Credentials,
  type PlatformId,
  type ProviderDeps,
  ProviderError,
  type RequestOf,
  type ResultOf,
  requestHash,
} from "../../providers";
import type { AppContext } from "../context";
import { quotaClient } from "../platform-accounts/accounts";
import { credentialsAad, openCredentials } from "../platform-accounts/credentials";
import type { GenKind } from "./choice";

/**
 * The durable generation call. One row per (item task, take, attempt) is recorded before anything
 * is sent; then, in order: a quota unit of a platform account is reserved (the reservation named
 * after the job, so a redelivery reuses it), the credits are held, the row moves to `submitting`,
 * the adapter's `start` runs, and its answer (a result, or the vendor's job id) is recorded. Every
 * invocation — a redelivered message, a restarted Worker, a new object — reads the row and goes on
 * from where it stands: it polls a pending job and never submits a recorded call twice. A row left
 * in `submitting` by a crash is failed, not re-sent: a synchronous vendor may already have charged.
 */
export interface GenerationCall<K extends GenKind> {
  ownerId: number;
  workflowId: number | null;
  taskId: number;
  take: number;
  kind: K;
  subject: string;
  platform: PlatformId;
  model: string;
  /** Hundredths of a credit this call costs (its quoted price). */
  price: number;
  /** What the ledger says of it: "Image · openai gpt-image-1 · storyboard 12". */
  label: string;
  maxCredits: number | null;
  request: RequestOf[K];
  /** Copies a result into R2 and verifies it; what it returns is stored on the row (JSON). */
  store(result: ResultOf[K], job: GenerationJobRow): Promise<unknown>;
}

export type GenerationOutcome =
  | { state: "done"; job: GenerationJobRow; stored: unknown; settle: Statement[] }
  | { state: "wait"; delaySeconds: number }
  | { state: "failed"; reason: string; retryDelaySeconds?: number; capReached?: boolean };

export const INTERRUPTED =
  "interrupted while the provider was answering; not re-sent to avoid paying twice (retry starts a new attempt)";

/** Polls back off from the vendor's hint, capped, so a slow task costs few invocations. */
const MAX_POLL_SECONDS = 60;

function moneyOf(call: { ownerId: number; workflowId: number | null; label: string }, job: GenerationJobRow) {
  return {
    id: job.id,
    ownerId: call.ownerId,
    workflowId: call.workflowId,
    quotedCost: job.quotedCost,
    label: call.label,
    createdAt: job.createdAt,
  };
}

function providerDeps(ctx: AppContext): ProviderDeps {
  return {
    fetch: (input, init) => fetch(input, init),
    now: ctx.clock,
    ...(ctx.env.AI ? { ai: ctx.env.AI } : {}),
    allowPrivateBaseUrls: ctx.config.appEnv === "development",
    timeoutMs: 120_000,
  };
}

/** Platforms whose binding is the credential: no account is leased (and no vendor quota applies). */
const BOUND = new Set<string>(["workers_ai"]);

export async function runGeneration<K extends GenKind>(
  ctx: AppContext,
  call: GenerationCall<K>,
): Promise<GenerationOutcome> {
  let job = await findLatestJob(ctx.db, call.taskId, call.take);
  if (!job || job.state === "failed") {
    job = await insertJob(
      ctx.db,
      {
        ownerId: call.ownerId,
        workflowId: call.workflowId,
        taskId: call.taskId,
        take: call.take,
        attempt: (job?.attempt ?? 0) + 1,
        kind: call.kind,
        subject: call.subject,
        platform: call.platform,
        model: call.model,
        requestHash: await requestHash(call.request),
        quotedCost: call.price,
      },
      ctx.now,
    );
  }
  switch (job.state) {
    case "succeeded":
      return done(ctx, call, job);
    case "submitting":
      return fail(ctx, call, job, INTERRUPTED, { release: false });
    case "pending":
      return poll(ctx, call, job);
    case "recorded":
    case "reserved":
      return submit(ctx, call, job);
    case "failed":
      return { state: "failed", reason: job.error ?? "failed" };
  }
}

function done(ctx: AppContext, call: GenerationCall<GenKind>, job: GenerationJobRow): GenerationOutcome {
  const settle = job.money === "held" ? chargeStatements(ctx.db, moneyOf(call, job), ctx.now) : [];
  return { state: "done", job, stored: job.result, settle };
}

async function fail(
  ctx: AppContext,
  call: GenerationCall<GenKind>,
  job: GenerationJobRow,
  reason: string,
  opts: { release: boolean; code?: string; retryDelaySeconds?: number; capReached?: boolean },
): Promise<GenerationOutcome> {
  const moved = await moveJob(
    ctx.db,
    job.id,
    ["recorded", "reserved", "submitting", "pending"],
    { state: "failed", error: reason.slice(0, 500), errorCode: opts.code ?? "failed", finishedAt: ctx.now },
    ctx.now,
  );
  if (moved && opts.release && job.platformAccountId !== null)
    await quotaClient(ctx).release(job.platformAccountId, reservationOf(job));
  if (moved?.money === "held") {
    try {
      await runBatch(ctx.db, refundStatements(ctx.db, moneyOf(call, moved), ctx.now));
    } catch (err) {
      // Refunded by another invocation meanwhile: exactly once either way.
      if (!isGuardAbort(err)) throw err;
    }
  }
  return {
    state: "failed",
    reason,
    ...(opts.retryDelaySeconds !== undefined ? { retryDelaySeconds: opts.retryDelaySeconds } : {}),
    ...(opts.capReached ? { capReached: true } : {}),
  };
}

const reservationOf = (job: GenerationJobRow) => `generation:${job.id}`;

/** Reserves one quota unit on the first active account of the platform that has one left. */
async function reserveQuota(ctx: AppContext, call: GenerationCall<GenKind>, job: GenerationJobRow) {
  if (BOUND.has(call.platform)) return { ok: true as const, accountId: null };
  const accounts = await listActiveAccounts(ctx.db, call.ownerId, call.platform);
  if (accounts.length === 0)
    return {
      ok: false as const,
      reason: `no active ${call.platform} platform account: add one with POST /api/platform-accounts`,
    };
  const client = quotaClient(ctx);
  for (const account of accounts) {
    const r = await client.reserve(account.id, account.dailyLimit, reservationOf(job), ctx.now);
    if (r.granted) return { ok: true as const, accountId: account.id };
  }
  return { ok: false as const, reason: "platform quota exhausted" };
}

async function credentialsOf(
  ctx: AppContext,
  call: GenerationCall<GenKind>,
  job: GenerationJobRow,
): Promise<Credentials> {
  if (job.platformAccountId === null) return {};
  const row = await findPlatformAccount(ctx.db, call.ownerId, job.platformAccountId);
  if (!row) throw new ProviderError("bad_credentials", "The platform account was deleted");
  const opened = await openCredentials(
    ctx.env.CREDENTIALS_KEYS,
    { ciphertext: row.credentialsCiphertext, iv: row.credentialsIv, keyVersion: row.credentialsKeyVersion },
    credentialsAad(row.ownerId, row.id),
  );
  return Object.fromEntries(Object.entries(opened).map(([k, v]) => [k, String(v)]));
}

async function submit<K extends GenKind>(
  ctx: AppContext,
  call: GenerationCall<K>,
  recorded: GenerationJobRow,
): Promise<GenerationOutcome> {
  let job = recorded;
  if (job.state === "recorded") {
    const quota = await reserveQuota(ctx, call, job);
    if (!quota.ok) return fail(ctx, call, job, quota.reason, { release: false, code: "quota_exhausted" });
    const moved = await moveJob(
      ctx.db,
      job.id,
      ["recorded"],
      { state: "reserved", platformAccountId: quota.accountId },
      ctx.now,
    );
    if (!moved) return runGeneration(ctx, call);
    job = moved;
  }
  if (job.money === "none" && job.quotedCost > 0) {
    try {
      await runBatch(ctx.db, holdStatements(ctx.db, moneyOf(call, job), call.maxCredits, ctx.now));
    } catch (err) {
      if (isCheckViolation(err, "subscriptions_quota_within_total"))
        return fail(ctx, call, job, "not enough credits for this generation", {
          release: true,
          code: "insufficient_credits",
        });
      if (!isGuardAbort(err)) throw err;
      const again = await findLatestJob(ctx.db, call.taskId, call.take);
      if (again?.id !== job.id || again.money !== "held")
        return fail(ctx, call, job, `max_credits reached: the next ${call.kind} would pass the run's cap`, {
          release: true,
          code: "max_credits",
          capReached: true,
        });
    }
  }
  const sending = await moveJob(
    ctx.db,
    job.id,
    ["reserved"],
    { state: "submitting", submittedAt: ctx.clock() },
    ctx.clock(),
  );
  if (!sending) return runGeneration(ctx, call);
  const adapter = adapterFor(call.platform, call.kind);
  if (!adapter)
    return fail(ctx, call, sending, `${call.platform} offers no ${call.kind} generation`, { release: true });
  let started: Awaited<ReturnType<typeof adapter.start>>;
  try {
    started = await adapter.start(call.request, await credentialsOf(ctx, call, sending), providerDeps(ctx));
  } catch (err) {
    return providerFailure(ctx, call, sending, err, true);
  }
  if (started.state === "done") return finish(ctx, call, sending, started.result);
  const pending = await moveJob(
    ctx.db,
    sending.id,
    ["submitting"],
    { state: "pending", providerJobId: started.jobId, pollAt: ctx.clock() + started.pollAfterMs },
    ctx.clock(),
  );
  if (!pending) return runGeneration(ctx, call);
  return { state: "wait", delaySeconds: pollDelay(started.pollAfterMs, 0) };
}

function pollDelay(hintMs: number, polls: number): number {
  return Math.max(
    1,
    Math.min(
      MAX_POLL_SECONDS,
      Math.ceil(exponentialBackoff(Math.floor(polls / 4), hintMs, MAX_POLL_SECONDS * 1000) / 1000),
    ),
  );
}

async function poll<K extends GenKind>(
  ctx: AppContext,
  call: GenerationCall<K>,
  job: GenerationJobRow,
): Promise<GenerationOutcome> {
  const adapter = adapterFor(call.platform, call.kind);
  if (!adapter?.poll || !job.providerJobId)
    return fail(ctx, call, job, "the provider's job cannot be polled", { release: false });
  let polled: Awaited<ReturnType<NonNullable<typeof adapter.poll>>>;
  try {
    polled = await adapter.poll(job.providerJobId, await credentialsOf(ctx, call, job), providerDeps(ctx));
  } catch (err) {
    const e = err instanceof ProviderError ? err : null;
    // A poll that failed to ask is asked again later; the vendor's job goes on meanwhile.
    if (e?.retryable) return { state: "wait", delaySeconds: pollDelay(5_000, job.polls + 4) };
    return providerFailure(ctx, call, job, err, false);
  }
  if (polled.state === "pending") {
    await moveJob(
      ctx.db,
      job.id,
      ["pending"],
      { polls: job.polls + 1, pollAt: ctx.clock() + polled.pollAfterMs },
      ctx.clock(),
    );
    return { state: "wait", delaySeconds: pollDelay(polled.pollAfterMs, job.polls + 1) };
  }
  if (polled.state === "failed")
    return fail(ctx, call, job, `${call.platform}: ${polled.error.message}`, {
      release: false,
      code: polled.error.code,
    });
  return finish(ctx, call, job, polled.result);
}

async function finish<K extends GenKind>(
  ctx: AppContext,
  call: GenerationCall<K>,
  job: GenerationJobRow,
  result: ResultOf[K],
): Promise<GenerationOutcome> {
  let stored: unknown;
  try {
    stored = await call.store(result, job);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return fail(ctx, call, job, `the result was refused: ${reason}`, {
      release: false,
      code: "malformed_response",
    });
  }
  const moved = await moveJob(
    ctx.db,
    job.id,
    ["submitting", "pending"],
    { state: "succeeded", result: stored, finishedAt: ctx.clock() },
    ctx.clock(),
  );
  if (!moved) return runGeneration(ctx, call);
  return done(ctx, call, moved);
}

/**
 * A provider's error: 429 and 5xx at submit release the quota unit (the vendor refused the call)
 * and ask for a retry after the vendor's Retry-After or the backoff; a timeout fails the item (the
 * vendor may have done the work, so the unit stays spent); anything else fails it with the reason.
 * The held credits are refunded in every case.
 */
function providerFailure(
  ctx: AppContext,
  call: GenerationCall<GenKind>,
  job: GenerationJobRow,
  err: unknown,
  atSubmit: boolean,
): Promise<GenerationOutcome> {
  const e =
    err instanceof ProviderError ? err : new ProviderError("malformed_response", "the provider call failed");
  if (e.code === "rate_limited" || e.code === "provider_unavailable") {
    const delay = e.retryAfterSeconds ?? exponentialBackoff(job.attempt - 1, 2, 120);
    return fail(ctx, call, job, e.message, { release: atSubmit, code: e.code, retryDelaySeconds: delay });
  }
  if (e.code === "timeout")
    return fail(ctx, call, job, `timed out: ${e.message}`, { release: false, code: e.code });
  return fail(ctx, call, job, e.message, { release: atSubmit && e.code === "bad_credentials", code: e.code });
}
