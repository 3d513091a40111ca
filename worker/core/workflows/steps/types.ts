import type { OUTPUT_FORMATS, Resolution } from "../../../../contracts/render-spec";
import type { Statement } from "../../../db/client";
import type { TaskRow } from "../../../db/queries/tasks";
import type { ClaimedTask } from "../../../db/queries/workflow-tasks";
import type { WorkflowRow } from "../../../db/queries/workflows";
import type { AppContext } from "../../context";
import type { Choices, GenKind, ProviderChoice } from "../../generation/choice";
import type { WorkflowOptions } from "../options";

/**
 * What a workflow step is. Each step kind is one module of this folder exporting a
 * `StepDefinition`, registered in the table of `index.ts` beside the templates; the rest of the
 * workflow machinery (the run's state machine, the built-in executor, fan-out expansion, the
 * acceptance of workers' results) reads everything step-specific from here.
 */

/** An error retrying cannot fix (no script, a deleted item): the task fails at once. */
export class PermanentError extends Error {}

/** An error the same call may overcome later (a provider's 429 or 5xx): retried after `delaySeconds`. */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly delaySeconds: number,
  ) {
    super(message);
  }
}

export interface StepResult {
  output: Record<string, unknown>;
  /** Statements that record the result; they run only if the task is still this executor's. */
  statements: Statement[];
  /** R2 objects to remove once the batch committed (replaced images). */
  obsoleteKeys?: string[];
  /** R2 objects to remove if the batch did not commit (the task was lost meanwhile). */
  orphanKeys?: string[];
  /** Leave the task processing: something else completes it (the renderer's callbacks). */
  keepOpen?: boolean;
  /** With keepOpen: the task's lease lasts until then, so nothing runs it again meanwhile. */
  keepOpenUntil?: number;
  /**
   * A provider's job is under way: the task stays processing and the same message comes back after
   * `delaySeconds` to poll it (a wait is not a failed attempt).
   */
  wait?: { delaySeconds: number };
  /** The task goes back to pending with this reason (the workflow paused before it could run). */
  release?: string;
}

/**
 * What sits above the task engine and a step may still need. The engine accepts workers' results
 * through this folder's table, so a step module importing, say, the export machinery (which creates
 * tasks through the engine) would close an import circle; the built-in executor hands it in.
 */
export interface StepServices {
  /** The export of a `video_rendering` step, made once per task (a redelivery finds it). */
  startExport(
    ctx: AppContext,
    ownerId: number,
    input: {
      project_id: string;
      resolution: Resolution;
      format: (typeof OUTPUT_FORMATS)[number];
      include_subtitles: boolean;
    },
    link: { workflowId: number; taskId: number },
  ): Promise<{ id: number; videoLength: number }>;
}

/** One task the built-in executor runs: claimed under its lease, with its workflow. */
export interface StepRun {
  ctx: AppContext;
  task: ClaimedTask;
  workflow: WorkflowRow;
  services: StepServices;
}

/** Items of a step, by status, as progress frames and the workflow's detail count them. */
export interface ItemCounts {
  total: number;
  waiting: number;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
}

/** One item a fan-out step creates: its reference and what a worker needs to make it. */
export interface PlannedItem {
  ref: string;
  output: Record<string, unknown>;
}

export interface ItemPage {
  items: PlannedItem[];
  /** Id of the last row read, to continue after. */
  last: number | null;
  /** Fewer rows than asked for: nothing is left after this page. */
  exhausted: boolean;
}

/**
 * What a workflow's quote knows before the run, counted as the run will count its items: the
 * providers chosen for it, and the characters, storyboards and video seconds it will make.
 */
export interface QuoteFacts {
  choices: Choices;
  /** An external worker draws the images: nothing is generated here. */
  external: boolean;
  options: WorkflowOptions;
  characterItems: number;
  storyboardItems: number;
  videoSeconds: number;
}

/** One line of a quote: a step's items × its provider's unit price (× takes), in hundredths. */
export interface QuoteLine {
  step: string;
  kind: "llm" | "image" | "export";
  provider: ProviderChoice["platform"] | "external";
  model: string | null;
  unit: string;
  items: number;
  takes: number;
  /** Hundredths of a credit. */
  unit_price: number;
  amount: number;
}

/** What every step has: how its progress reads, what it costs, and what it refuses up front. */
interface StepBase<Name extends string> {
  name: Name;
  /** What one item is called in progress messages, singular and plural. */
  noun: string;
  plural: string;
  /**
   * How far a running single step reads before it reports anything (0..1; default one half).
   * A step with outside progress (a render) starts at 0 so its first real report never goes back.
   */
  progressGuess?: number;
  /** The provider kind the step generates with: the workflow's choice for it is the step's provider. */
  generates?: GenKind;
  /** The step's line of a workflow's quote; a step without one costs nothing and is not listed. */
  quote?(facts: QuoteFacts): QuoteLine;
  /**
   * Refuses a workflow at its start (throws an AppError) when the step could never run on this
   * project; `first`: no step runs before it.
   */
  check?(
    ctx: AppContext,
    ownerId: number,
    project: { id: string; script: string | null; description: string | null },
    at: { first: boolean },
  ): Promise<void>;
}

export interface SingleStep<Name extends string = string> extends StepBase<Name> {
  kind: "single";
  /** Runs the step's own task. */
  run(ex: StepRun): Promise<StepResult>;
}

export interface FanoutStep<Name extends string = string> extends StepBase<Name> {
  kind: "fanout";
  /** The message while items are under way: "Generating storyboard 3/10". */
  progressMessage(counts: ItemCounts): string;
  items: {
    /** Task type of the items: what an external worker claims. */
    taskType: string;
    /** One chunk of the items, in row id order after `after`, at most `limit`. */
    plan(ctx: AppContext, workflow: WorkflowRow, after: number, limit: number): Promise<ItemPage>;
    /** Makes one item with the built-in generator. */
    run(ex: StepRun): Promise<StepResult>;
    /**
     * A worker's result for an item (`task_output`): statements that record it in the batch that
     * completes the task, or a thrown AppError that refuses the completion and changes nothing.
     */
    accept?(
      ctx: AppContext,
      task: TaskRow,
      output: Record<string, unknown> | null | undefined,
    ): Promise<Statement[]>;
  };
}

export type StepDefinition<Name extends string = string> = SingleStep<Name> | FanoutStep<Name>;

/** The part of a step the run's state machine reads (so it can be tested without the step's work). */
export type StepInfo = Pick<StepDefinition, "name" | "kind" | "noun" | "plural" | "progressGuess"> & {
  progressMessage?: (counts: ItemCounts) => string;
};

export type StepCatalog = (name: string | null | undefined) => StepInfo | undefined;

/** Item references of fan-out children: `character:12`, `storyboard:34`. */
export function itemRef(kind: string, id: number): string {
  return `${kind}:${id}`;
}

export function parseItemRef(ref: string | null | undefined, kind: string): number | null {
  const m = /^([a-z_]+):(\d+)$/.exec(ref ?? "");
  return m && m[1] === kind ? Number(m[2]) : null;
}
