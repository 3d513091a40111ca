import { sweepOutbox } from "./core/outbox";
import { dbOf } from "./platform/context";

/**
 * Cron housekeeping only (DESIGN §7): anything a user would notice is evaluated lazily where it is
 * read, so correctness never waits for this.
 */
export async function runScheduled(env: Env, now: number): Promise<{ outboxResent: number }> {
  const outboxResent = await sweepOutbox(env, dbOf(env), now);
  return { outboxResent };
}
