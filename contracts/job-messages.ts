import { z } from "zod";

/**
 * Messages of the jobs queue: sent by the Worker (requests, cron, the WorkflowRun object) and
 * read by its queue consumer. They carry ids only (the queue caps messages at 128 KB, and the row
 * a message names is the truth): the consumer loads the row and does what it says.
 */
export const JobMessageSchema = z.discriminatedUnion("kind", [
  /** An outbox row to deliver (n8n triggers, R2 cleanup, render dispatch and cancel). */
  z.object({ kind: z.literal("outbox"), id: z.number().int().positive() }).strict(),
  /** A built-in workflow task to run: a single step, or an item of a fan-out step. */
  z.object({ kind: z.literal("task"), id: z.number().int().positive() }).strict(),
  /** The next chunk of a fan-out step's items to create (the step's task id). */
  z.object({ kind: z.literal("fanout"), id: z.number().int().positive() }).strict(),
]);
export type JobMessage = z.infer<typeof JobMessageSchema>;
