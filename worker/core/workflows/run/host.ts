import type { Frame } from "../../../../contracts/workflow-frames";
import type { Clock } from "../../../platform/time";
import type { ItemState, RunState } from "./state";

/**
 * What the core needs of the object that hosts a workflow run (the WorkflowRun Durable Object):
 * its storage, its sockets and its alarm. The host holds the one lock (calls never interleave),
 * keeps `memory` as a cache of its storage, and decides nothing.
 */
export interface RunMemory {
  state: RunState | null;
  items: Map<number, ItemState>;
}

export interface RunHost {
  readonly env: Env;
  readonly clock: Clock;
  readonly memory: RunMemory;
  /** Writes the state, the given items and the new frames in one storage transaction. */
  persist(state: RunState, items: readonly ItemState[], frames: readonly Frame[]): void;
  /** Sends frames, in order, to every open socket and stream. */
  broadcast(frames: readonly Frame[]): void;
  /** The stored frames after `afterSeq`, or null when some of them are no longer kept. */
  replay(afterSeq: number): Frame[] | null;
  alarm(): Promise<number | null>;
  setAlarm(at: number | null): Promise<void>;
}
