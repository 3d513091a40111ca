import { canvasSize } from "../../../../contracts/render-spec";
import type { Statement } from "../../../db/client";
import type { CharacterRow } from "../../../db/queries/characters";
import { setGeneratedImageStatement } from "../../../db/queries/characters";
import type { StoryboardRow } from "../../../db/queries/storyboards";
import { insertTakesStatement, type NewTake, unselectTakesStatement } from "../../../db/queries/takes";
import { itemStoryboardImageStatement } from "../../../db/queries/workflow-items";
import type { AspectRatio } from "../../../db/schema/studio";
import type { ProviderChoice } from "../../generation/choice";
import {
  portraitPrompt,
  readStored,
  type StoredImage,
  scoreOf,
  shotReferences,
  storeImageResult,
  storyboardPrompt,
} from "../../generation/images";
import { type GenerationOutcome, runGeneration } from "../../generation/jobs";
import { generatedCharacterKey, storyboardImageKey } from "../../media/storage-keys";
import { describeCharacterImage } from "../../studio/characters";
import { readOptions } from "../options";
import { workflowRun } from "../run-stub";
import { PermanentError, type QuoteLine, RetryLater, type StepResult, type StepRun } from "./types";

/**
 * The image steps with a provider (core/generation/): a durable, quota-leased, priced call per
 * take, the result verified and copied into R2, the best take by consistency score kept as the
 * item's image and the others stored as takes. The offline built-in cards stay in the step modules.
 */
type Chosen = Extract<ProviderChoice, { price: unknown }>;

const portraitSize = canvasSize("720p", "3:4");

/** What an outcome that did not finish means for the item. */
async function notDone(ex: StepRun, outcomes: GenerationOutcome[]): Promise<StepResult | null> {
  const waits = outcomes.filter((o) => o.state === "wait");
  if (waits.length > 0)
    return {
      output: {},
      statements: [],
      wait: { delaySeconds: Math.min(...waits.map((w) => w.delaySeconds)) },
    };
  if (outcomes.some((o) => o.state === "done")) return null;
  const failures = outcomes.filter((o) => o.state === "failed");
  const cap = failures.find((f) => f.capReached);
  if (cap) {
    // The run's cap: the workflow pauses with the reason and this item waits for the resume.
    await workflowRun(ex.ctx.env, ex.workflow.id).control(ex.workflow.id, "pause", cap.reason);
    return { output: {}, statements: [], release: cap.reason };
  }
  const retry = failures.find((f) => f.retryDelaySeconds !== undefined);
  if (retry) throw new RetryLater(retry.reason, retry.retryDelaySeconds ?? 5);
  throw new PermanentError(failures[0]?.reason ?? "the generation failed");
}

function maxCreditsOf(options: unknown): number | null {
  const cap = readOptions(options).max_credits;
  return cap === undefined ? null : Math.round(cap * 100);
}

/** A storyboard's image from its shot prompt, the style and its characters' references; `takes` candidates. */
export async function generateStoryboard(
  ex: StepRun,
  sb: StoryboardRow,
  aspect: AspectRatio,
  choice: Chosen,
): Promise<StepResult> {
  const { ctx, task, workflow } = ex;
  const style = readOptions(workflow.options).style ?? "cinematic";
  const refs = await shotReferences(ctx, task.ownerId, sb);
  const { width, height } = canvasSize("720p", aspect);
  const request = {
    model: choice.model,
    prompt: storyboardPrompt(sb, refs.cast, style),
    width,
    height,
    ...(refs.images.length > 0 ? { references: refs.images } : {}),
    seed: sb.id % 1_000_000,
  };
  const outcomes: GenerationOutcome[] = [];
  for (let take = 0; take < choice.takes; take++) {
    outcomes.push(
      await runGeneration(ctx, {
        ownerId: task.ownerId,
        workflowId: workflow.id,
        taskId: task.id,
        take,
        kind: "image",
        subject: `storyboard:${sb.id}`,
        platform: choice.platform,
        model: choice.model,
        price: choice.price.hundredths,
        label: `Image · ${choice.platform} ${choice.model} · storyboard ${sb.id}${choice.takes > 1 ? ` take ${take + 1}` : ""}`,
        maxCredits: maxCreditsOf(workflow.options),
        request: { ...request, ...(take > 0 ? { seed: (sb.id + take * 7919) % 1_000_000 } : {}) },
        store: (result, job) =>
          storeImageResult(
            ctx,
            result,
            (j, type) => storyboardImageKey(task.ownerId, sb.projectId, sb.id, `gen-${j.id}`, type),
            job,
          ),
      }),
    );
  }
  const pending = await notDone(ex, outcomes);
  if (pending) return pending;
  const done = outcomes.flatMap((o) => (o.state === "done" ? [o] : []));
  const scored = await Promise.all(
    done.map(async (o) => {
      const stored = o.stored as StoredImage;
      return { o, stored, score: scoreOf(await readStored(ctx, stored), refs.signatures) };
    }),
  );
  // The best by consistency score; without characters to score against, the first take.
  const best = scored.reduce((a, b) => ((b.score ?? -1) > (a.score ?? -1) ? b : a));
  const settle: Statement[] = done.flatMap((o) => o.settle);
  const rows: NewTake[] = scored.map((s) => ({
    ownerId: task.ownerId,
    subjectKind: "storyboard",
    subjectId: sb.id,
    media: "image",
    generationJobId: s.o.job.id,
    position: s.o.job.take,
    r2Key: s.stored.key,
    contentType: s.stored.content_type,
    width: s.stored.width,
    height: s.stored.height,
    bytes: s.stored.bytes,
    score: s.score,
    platform: choice.platform,
    model: choice.model,
    selected: s === best,
  }));
  const now = Date.now();
  return {
    output: {
      storyboard_id: sb.id,
      image_key: best.stored.key,
      consistency_score: best.score,
      provider: choice.platform,
      model: choice.model,
      takes: rows.length,
    },
    statements: [
      ...settle,
      unselectTakesStatement(ctx.db, task.ownerId, "storyboard", sb.id, now),
      insertTakesStatement(ctx.db, rows, now),
      itemStoryboardImageStatement(
        ctx.db,
        task.ownerId,
        sb.id,
        {
          status: "completed",
          style,
          imageKey: best.stored.key,
          imageSource: "generated",
          consistencyScore: best.score,
          error: null,
        },
        now,
      ),
    ],
    // Takes stay in storage (they are listed and selectable); the image replaced is not a take.
    obsoleteKeys: sb.imageKey && !sb.imageKey.includes("/gen-") ? [sb.imageKey] : [],
  };
}

/** A character's portrait from its appearance and the style. */
export async function generatePortrait(ex: StepRun, ch: CharacterRow, choice: Chosen): Promise<StepResult> {
  const { ctx, task, workflow } = ex;
  const style = readOptions(workflow.options).style ?? "cinematic";
  const outcome = await runGeneration(ctx, {
    ownerId: task.ownerId,
    workflowId: workflow.id,
    taskId: task.id,
    take: 0,
    kind: "image",
    subject: `character:${ch.id}`,
    platform: choice.platform,
    model: choice.model,
    price: choice.price.hundredths,
    label: `Image · ${choice.platform} ${choice.model} · character ${ch.id}`,
    maxCredits: maxCreditsOf(workflow.options),
    request: {
      model: choice.model,
      prompt: portraitPrompt(ch, style),
      ...portraitSize,
      seed: ch.id % 1_000_000,
    },
    store: (result, job) =>
      storeImageResult(
        ctx,
        result,
        (j) => generatedCharacterKey(task.ownerId, ch.projectId, ch.id, `gen-${j.id}`),
        job,
      ),
  });
  const pending = await notDone(ex, [outcome]);
  if (pending || outcome.state !== "done") return pending as StepResult;
  const stored = outcome.stored as StoredImage;
  const image = await readStored(ctx, stored);
  return {
    output: { character_id: ch.id, image_key: stored.key, provider: choice.platform, model: choice.model },
    statements: [
      ...outcome.settle,
      setGeneratedImageStatement(ctx.db, ch.id, describeCharacterImage(ctx, stored.key, image), ctx.clock()),
    ],
    obsoleteKeys: ch.imageKey && ch.imageKey !== stored.key ? [ch.imageKey] : [],
  };
}

/** The image provider a workflow chose at its start, or null for the built-in cards. */
export function chosenImage(providers: unknown): Chosen | null {
  const image = (providers as { image?: ProviderChoice } | null)?.image;
  return image && image.platform !== "builtin" ? (image as Chosen) : null;
}

/**
 * The quote line of an image step: its items × the chosen model's price × takes. External workers
 * and the built-in cards cost nothing; the line still says who draws.
 */
export function imageQuoteLine(
  step: string,
  choice: ProviderChoice,
  items: number,
  external: boolean,
  takes: number,
): QuoteLine {
  if (external || choice.platform === "builtin")
    return {
      step,
      kind: "image",
      provider: external ? "external" : "builtin",
      model: null,
      unit: "image",
      items,
      takes: 1,
      unit_price: 0,
      amount: 0,
    };
  const unit = choice.price.hundredths;
  return {
    step,
    kind: "image",
    provider: choice.platform,
    model: choice.model,
    unit: "image",
    items,
    takes,
    unit_price: unit,
    amount: items * takes * unit,
  };
}
