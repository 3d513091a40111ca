import type { BatchItem } from "drizzle-orm/batch";
import type { Database } from "../../db/client";
import { abortUnlessChanged } from "../../db/guard";
import type { AppConfig } from "../../platform/config";
import { enqueueOutbox } from "../outbox";

/**
 * What billing decisions need: the database, config (due dates), the clock, and the bindings when
 * the caller has them (to send collection jobs at once; without them the outbox sweeper sends
 * them within a minute).
 */
export interface BillingDeps {
  db: Database;
  config: AppConfig;
  now: number;
  env?: Env | undefined;
}

/**
 * The statements of one billing change, run as one D1 batch (atomic: all or nothing), keeping
 * track of which of them insert outbox rows so the rows can be sent once the batch commits.
 */
export class BillingBatch {
  private readonly items: BatchItem<"sqlite">[] = [];
  private readonly outboxAt: number[] = [];

  constructor(private readonly db: Database) {}

  add(...items: BatchItem<"sqlite">[]): this {
    this.items.push(...items);
    return this;
  }

  /** A statement that must change a row, else the whole batch aborts (see db/guard.ts). */
  guarded(item: BatchItem<"sqlite">, name: string): this {
    return this.add(item, abortUnlessChanged(this.db, name));
  }

  /** An outbox insert (`RETURNING id`). */
  outbox(item: BatchItem<"sqlite">): this {
    this.outboxAt.push(this.items.length);
    return this.add(item);
  }

  get size(): number {
    return this.items.length;
  }

  /** Runs the batch; returns the ids of the outbox rows it wrote. */
  async run(): Promise<number[]> {
    if (this.items.length === 0) return [];
    const results = (await this.db.batch(
      this.items as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]],
    )) as unknown[];
    return this.outboxAt.flatMap((i) =>
      ((results[i] as { id: number }[] | undefined) ?? []).map((r) => r.id),
    );
  }
}

/** Sends outbox rows now when the bindings are at hand; otherwise the sweeper will. */
export async function sendOutbox(deps: BillingDeps, ids: number[]): Promise<void> {
  if (deps.env && ids.length > 0) await enqueueOutbox(deps.env, deps.db, ids, deps.now);
}
