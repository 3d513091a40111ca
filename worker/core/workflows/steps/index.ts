import type { WorkflowRow } from "../../../db/queries/workflows";
import type { WorkflowType } from "../../../db/schema/studio";
import { readChoices } from "../../generation/choice";
import { characterGeneration } from "./character-generation";
import { scriptParsing } from "./script-parsing";
import { storyboardGeneration } from "./storyboard-generation";
import type { StepCatalog, StepDefinition } from "./types";
import { videoRendering } from "./video-rendering";

/**
 * The one table of workflow steps and templates. A step kind is one module of this folder; adding
 * one means writing that module, listing it here and naming it in a template — nothing else in
 * the workflow machinery knows step names.
 */
const BUILT_IN = [scriptParsing, characterGeneration, storyboardGeneration, videoRendering] as const;

export type StepName = (typeof BUILT_IN)[number]["name"];
export const STEP_NAMES = BUILT_IN.map((s) => s.name) as [StepName, ...StepName[]];

/** The step whose outside progress (the renderer's) arrives as `export_progress` frames. */
export const RENDER_STEP: StepName = videoRendering.name;

interface Template {
  /** Each step is one task of the workflow's pipeline project, depending on the one before. */
  steps: readonly string[];
  /** Whether the workflow completing completes its studio project (an export did, or will). */
  completesProject: boolean;
}

const TEMPLATES: Record<WorkflowType, Template> = {
  full_production: {
    steps: ["script_parsing", "character_generation", "storyboard_generation", "video_rendering"],
    completesProject: true,
  },
  storyboard: {
    steps: ["script_parsing", "character_generation", "storyboard_generation"],
    completesProject: false,
  },
  render: { steps: ["video_rendering"], completesProject: true },
};

const registry = new Map<string, StepDefinition>(BUILT_IN.map((s) => [s.name, s]));

export function templateOf(type: WorkflowType): Template {
  return TEMPLATES[type];
}

export function stepOf(name: string | null | undefined): StepDefinition | undefined {
  return name ? registry.get(name) : undefined;
}

/**
 * The provider a step of this workflow used: the workflow's choice (made at its start) for the kind
 * the step generates; an external worker for image steps of an external workflow; otherwise the
 * built-in (the renderer, and the offline parser until the LLM breakdown is wired).
 */
export function stepProvider(w: Pick<WorkflowRow, "generator" | "providers">, step: string) {
  const kind = stepOf(step)?.generates;
  if (!kind) return { platform: "builtin", model: null, source: "builtin" as const };
  if (kind === "image" && w.generator === "external")
    return { platform: "external", model: null, source: "generator" as const };
  const c = readChoices(w.providers)[kind];
  return { platform: c.platform, model: c.model, source: c.source };
}

/** What the run's state machine reads of the registered steps. */
export const stepCatalog: StepCatalog = (name) => stepOf(name);

/**
 * Registers a step kind and, optionally, a template that uses it; returns what undoes it. This is
 * how a test proves that a step kind needs nothing but its module and a template.
 */
export function registerStep(def: StepDefinition, template?: { type: WorkflowType } & Template): () => void {
  const before = registry.get(def.name);
  const previous = template ? TEMPLATES[template.type] : undefined;
  registry.set(def.name, def);
  if (template)
    TEMPLATES[template.type] = { steps: template.steps, completesProject: template.completesProject };
  return () => {
    if (before) registry.set(def.name, before);
    else registry.delete(def.name);
    if (template && previous) TEMPLATES[template.type] = previous;
  };
}
