import { consumeDeadLetters, consumeJobs } from "../jobs/consumer";

/**
 * The queue entry: one consumer for the jobs queue and one for its dead-letter queue (the
 * queue names differ per environment; the dead-letter one always ends in `-dlq`).
 */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.endsWith("-dlq")) await consumeDeadLetters(batch, env);
  else await consumeJobs(batch, env);
}
