import { type Database, runBatch, type Statement } from "../../db/client";
import { abortUnlessChanged } from "../../db/guard";
import type { AppContext } from "../context";
import { enqueueOutbox } from "../outbox";

/**
 * The statements of one billing change, run as one D1 batch (atomic: all or nothing), keeping
 * track of which of them insert outbox rows so the rows can be sent once the batch commits.
 */
export class BillingBatch {
  private readonly items: Statement[] = [];
  private readonly outboxAt: number[] = [];

  constructor(private readonly db: Database) {}

  add(...items: Statement[]): this {
    this.items.push(...items);
    return this;
  }

  /** A statement that must change a row, else the whole batch aborts (see db/guard.ts). */
  guarded(item: Statement, name: string): this {
    return this.add(item, abortUnlessChanged(this.db, name));
  }

  /** An outbox insert (`RETURNING id`). */
  outbox(item: Statement): this {
    this.outboxAt.push(this.items.length);
    return this.add(item);
  }

  get size(): number {
    return this.items.length;
  }

  /** Runs the batch; returns the ids of the outbox rows it wrote. */
  async run(): Promise<number[]> {
    if (this.items.length === 0) return [];
    const results = await runBatch(this.db, this.items);
    return this.outboxAt.flatMap((i) =>
      ((results[i] as { id: number }[] | undefined) ?? []).map((r) => r.id),
    );
  }
}

/** Sends the outbox rows a billing batch wrote (a send that fails is retried by the sweeper). */
export async function sendOutbox(ctx: AppContext, ids: number[]): Promise<void> {
  await enqueueOutbox(ctx, ids);
}
