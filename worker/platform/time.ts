/**
 * Wall-clock access goes through here so expiry logic can be tested with an injected time.
 * (In production Workers `Date.now()` only advances after I/O, which is fine for expiry
 * decisions made at request granularity.)
 */
export type Clock = () => number;

/** ISO-8601 UTC with a `Z` and whole seconds, the format both surfaces document. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** `YYYY-MM-DD` of a timestamp in UTC. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
