import { sha256Hex } from "../../../contracts/crypto";
import { videoLength } from "../../../contracts/render-spec";
import { listCharactersAfter } from "../../db/queries/characters";
import { listProjectStoryboards } from "../../db/queries/storyboards";
import { findStudioProject } from "../../db/queries/studio-projects";
import type { WorkflowType } from "../../db/schema/studio";
import { notFound } from "../../platform/errors";
import { stableJson } from "../../providers";
import type { AppContext } from "../context";
import { parseScript } from "../studio/script-parser";
import type { WorkflowOptions } from "../workflows/options";
import { stepOf } from "../workflows/steps";
import type { QuoteFacts, QuoteLine } from "../workflows/steps/types";
import { type Choices, chooseProviders } from "./choice";

/**
 * The quote of a workflow before it runs: per step, its items × the unit price of the step's
 * provider (× takes), and the export. Items are counted as the run will count them: the scenes and
 * new speakers the offline parser finds in the script (when the workflow parses it and the project
 * has no storyboards yet), the characters and storyboards without an image. The start reserves the
 * generation lines; the export reserves its own line when its step starts, as every export does.
 * `quote_id` names the quote's content: a start that carries it is refused if the quote changed.
 */
export interface Quote {
  quote_id: string;
  lines: QuoteLine[];
  /** Hundredths: what the start reserves (the generation lines). */
  generation: number;
  /** Hundredths: the export's price, reserved when the render step starts. */
  export: number;
  total: number;
  choices: Choices;
}

const scriptTextOf = (p: { script: string | null; description: string | null }) =>
  p.script?.trim() || p.description?.trim() || "";

export async function quoteWorkflow(
  ctx: AppContext,
  ownerId: number,
  input: {
    project_id: string;
    workflow_type: WorkflowType;
    generator?: string | undefined;
    options?: WorkflowOptions | undefined;
    steps: readonly string[];
  },
): Promise<Quote> {
  const project = await findStudioProject(ctx.db, ownerId, input.project_id);
  if (!project) throw notFound("Project");
  const options = input.options ?? {};
  const choices = await chooseProviders(ctx, ownerId, options);
  const external = input.generator === "external";
  const [chars, boards] = await Promise.all([
    listCharactersAfter(ctx.db, ownerId, project.id, 0, 10_000),
    listProjectStoryboards(ctx.db, ownerId, project.id),
  ]);
  const regenerate = options.regenerate_images === true;
  const parses = input.steps.includes("script_parsing");
  let parsed: ReturnType<typeof parseScript> | null = null;
  if (parses) {
    try {
      parsed = parseScript(scriptTextOf(project));
    } catch {
      parsed = null;
    }
  }
  const known = new Set(chars.map((c) => c.name.toLowerCase()));
  const newChars = parsed ? parsed.characters.filter((n) => !known.has(n.toLowerCase())).length : 0;
  const charItems =
    chars.filter((c) => !c.imageKey || (regenerate && c.source !== "upload")).length + newChars;
  const newBoards = parsed && boards.length === 0 ? parsed.scenes : [];
  const boardItems =
    boards.filter((b) => !b.imageKey || (regenerate && b.imageSource !== "upload")).length + newBoards.length;
  const seconds = videoLength([...boards.map((b) => b.duration), ...newBoards.map((s) => s.duration)]);

  const facts: QuoteFacts = {
    choices,
    external,
    options,
    characterItems: charItems,
    storyboardItems: boardItems,
    videoSeconds: seconds,
  };
  const lines = input.steps.flatMap((step) => stepOf(step)?.quote?.(facts) ?? []);
  const generation = lines.filter((l) => l.kind !== "export").reduce((n, l) => n + l.amount, 0);
  const exportPart = lines.filter((l) => l.kind === "export").reduce((n, l) => n + l.amount, 0);
  const content = {
    ownerId,
    project: project.id,
    type: input.workflow_type,
    generator: input.generator ?? "builtin",
    options,
    lines,
  };
  return {
    quote_id: `q_${(await sha256Hex(await stableJson(content))).slice(0, 32)}`,
    lines,
    generation,
    export: exportPart,
    total: generation + exportPart,
    choices,
  };
}

/** The stored providers of a workflow: per kind, what GET /workflows/{id} shows per step. */
export function storedChoices(choices: Choices) {
  return { llm: choices.llm, image: choices.image };
}
