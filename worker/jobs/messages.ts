import { z } from "zod";

/**
 * Queue messages carry ids only (the queue caps messages at 128 KB, and the outbox row is the
 * truth): the consumer loads the row and does what it says.
 */
export const JobMessageSchema = z.discriminatedUnion("kind", [
  /** An outbox row to deliver (n8n triggers, R2 cleanup). */
  z.object({ kind: z.literal("outbox"), id: z.number().int().positive() }).strict(),
  /** A built-in workflow task to run (core/workflows/executors.ts). */
  z.object({ kind: z.literal("task"), id: z.number().int().positive() }).strict(),
  /** The next chunk of a fan-out step's items to create (core/workflows/orchestrator.ts). */
  z.object({ kind: z.literal("fanout"), id: z.number().int().positive() }).strict(),
]);
export type JobMessage = z.infer<typeof JobMessageSchema>;

/** Exponential backoff for redelivery: 5 s, 10 s, 20 s ... capped at 10 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(600, 5 * 2 ** Math.max(0, attempts - 1));
}
