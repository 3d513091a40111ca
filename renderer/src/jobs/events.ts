import type { RenderEvent } from "../../../contracts/render-events";
import { signRequest } from "../../../contracts/signing";

/**
 * Events to the Worker's callback URL, signed with the shared secret. Progress is best effort
 * (a newer one or the final event supersedes a lost one); terminal events go through an outbox
 * that retries them until the Worker acknowledges with a 2xx.
 */
export type NewEvent = RenderEvent extends infer E
  ? E extends RenderEvent
    ? Omit<E, "event_id" | "sequence" | "sent_at">
    : never
  : never;

export function stampEvent(event: NewEvent): RenderEvent {
  const now = Date.now();
  // Terminal events have one id per render, so every retry (even from another process) is the same event.
  const id =
    event.type === "progress" ? `${event.render_id}:progress:${now}` : `${event.render_id}:${event.type}`;
  return { ...event, event_id: id, sequence: now, sent_at: new Date(now).toISOString() } as RenderEvent;
}

/** One signed POST; true when the Worker acknowledged it. */
export async function postEvent(
  secret: string,
  callbackUrl: string,
  event: RenderEvent,
  timeoutMs = 10_000,
): Promise<boolean> {
  const url = new URL(callbackUrl);
  const body = JSON.stringify(event);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        ...(await signRequest(secret, { method: "POST", path: url.pathname + url.search, body })),
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Delay before the n-th retry of a terminal event: 1 s doubling, at most a minute. */
export function eventRetryDelayMs(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

export interface EventOutbox {
  /** Queues a terminal event for delivery until acknowledged (deduplicated by event id). */
  push(callbackUrl: string, event: RenderEvent): Promise<void>;
  close(): Promise<void>;
}
