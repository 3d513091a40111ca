/**
 * The timings of a workflow run, in one place: how long a built-in task may hold its lease, when a
 * dispatch that produced nothing is sent again, how often a live workflow is looked at without
 * being told, and how much of a backlog one call works off.
 */

/** The lease of a task the built-in executor runs (a render's step extends it while it waits). */
export const BUILTIN_LEASE_MS = 3 * 60_000;

/** A pending task or fan-out chain dispatched this long ago with no sign of it is dispatched again. */
export const REDISPATCH_PENDING_MS = 60_000;

/** A task processing this long past its lease is taken to have lost its executor. */
export const STALE_PROCESSING_MS = BUILTIN_LEASE_MS + 30_000;

/** While a workflow is live, the object re-reads its events this often: a lost poke costs seconds. */
export const WATCHDOG_MS = 5_000;

/** Task changes read per page, and pages applied per call: one call never applies more than 2000. */
export const EVENT_PAGE = 500;
export const MAX_EVENT_PAGES_PER_CALL = 4;

/** Items of a fan-out step the built-in generator works on at once, unless the options say. */
export const DEFAULT_MAX_PARALLEL = 4;
