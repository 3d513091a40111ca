import { type JobMessage, JobMessageSchema } from "../../contracts/job-messages";
import { createContext } from "../core/context";
import { buryOutboxMessage, runOutboxMessage } from "../core/outbox-jobs";
import { runWorkflowTask } from "../core/workflows/executors";
import { expandStepChunk } from "../core/workflows/fanout";
import { pokeWorkflows } from "../core/workflows/run-stub";

/** Exponential backoff for redelivery: 5 s, 10 s, 20 s ... capped at 10 minutes. */
function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 5 * 2 ** Math.max(0, attempts - 1));
}

/**
 * The jobs queue consumer: reads each message and hands it to the core (an outbox job, a built-in
 * workflow task, a fan-out chunk). Delivery is at least once, and every one of those is safe to run
 * twice. Each message is acked or retried on its own; a throw would redeliver the whole batch.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  // Messages of a batch run side by side (renders of frames are I/O-bound); each is acked alone.
  await Promise.all(batch.messages.map((msg) => consumeOne(msg, env)));
}

async function consumeOne(msg: Message<unknown>, env: Env): Promise<void> {
  const parsed = JobMessageSchema.safeParse(msg.body);
  if (!parsed.success) {
    // A message we cannot read will never become readable: quarantine it (log) instead of retrying.
    console.error(JSON.stringify({ level: "error", msg: "quarantined malformed job message", id: msg.id }));
    msg.ack();
    return;
  }
  if (parsed.data.kind === "fanout") {
    await expandOneChunk(msg, env, parsed.data.id);
    return;
  }
  if (parsed.data.kind === "task") {
    try {
      const outcome = await runWorkflowTask(env, parsed.data.id);
      if (outcome.kind === "retry") msg.retry({ delaySeconds: outcome.delaySeconds });
      else {
        // A poll is a new message: redeliveries are counted towards the dead-letter queue, polls are not.
        if (outcome.kind === "poll")
          await env.JOBS.send({ kind: "task", id: parsed.data.id } satisfies JobMessage, {
            delaySeconds: outcome.delaySeconds,
          });
        msg.ack();
      }
    } catch (err) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "workflow task failed to run",
          id: parsed.data.id,
          err: String(err),
        }),
      );
      msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
    }
    return;
  }
  if ((await runOutboxMessage(env, parsed.data.id)) === "failed") {
    msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  } else {
    msg.ack();
  }
}

/**
 * One chunk of a fan-out step per message, then the message for the next chunk: a step of any
 * size is many short invocations. If sending the next one fails, this message is retried, and
 * its retry continues from wherever the step got to (the message names the step, not a chunk).
 */
async function expandOneChunk(msg: Message<unknown>, env: Env, stepTaskId: number): Promise<void> {
  try {
    const outcome = await expandStepChunk(createContext(env), stepTaskId);
    if (outcome.kind === "more") {
      await env.JOBS.send({ kind: "fanout", id: stepTaskId } satisfies JobMessage);
    }
    if (outcome.kind !== "skipped") await pokeWorkflows(env, [outcome.workflowId]);
    msg.ack();
  } catch (err) {
    console.error(
      JSON.stringify({ level: "error", msg: "fan-out chunk failed", id: stepTaskId, err: String(err) }),
    );
    msg.retry({ delaySeconds: retryDelaySeconds(msg.attempts) });
  }
}

/** Messages that exhausted their retries: the row is marked dead and its effects compensated. */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const msg of batch.messages) {
    const parsed = JobMessageSchema.safeParse(msg.body);
    if (parsed.success && (parsed.data.kind === "task" || parsed.data.kind === "fanout")) {
      // A built-in task whose messages kept failing: its lease lapses and the WorkflowRun
      // object dispatches it again, or the cron fails it after its attempts. A fan-out chain
      // that stalled is started again by the object after a minute without a chunk.
      console.error(
        JSON.stringify({
          level: "error",
          msg: `workflow ${parsed.data.kind} message dead-lettered`,
          id: parsed.data.id,
        }),
      );
    } else if (parsed.success) {
      await buryOutboxMessage(env, parsed.data.id);
    }
    msg.ack();
  }
}
