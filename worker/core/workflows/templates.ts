import type { WorkflowType } from "../../db/schema/studio";

/**
 * The workflow templates. Each step is one task of the workflow's pipeline project;
 * fan-out steps get one child task per item (character or storyboard) when they start.
 */
export const STEP_NAMES = [
  "script_parsing",
  "character_generation",
  "storyboard_generation",
  "video_rendering",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

export const TEMPLATES: Record<WorkflowType, readonly StepName[]> = {
  full_production: ["script_parsing", "character_generation", "storyboard_generation", "video_rendering"],
  storyboard: ["script_parsing", "character_generation", "storyboard_generation"],
  render: ["video_rendering"],
};

export type StepKind = "single" | "fanout";

export const STEP_KIND: Record<StepName, StepKind> = {
  script_parsing: "single",
  character_generation: "fanout",
  storyboard_generation: "fanout",
  video_rendering: "single",
};

/** Task types of fan-out children: what an external worker claims. */
export const ITEM_TASK_TYPE = {
  character_generation: "character_image",
  storyboard_generation: "storyboard_image",
} as const;
export type ItemTaskType = (typeof ITEM_TASK_TYPE)[keyof typeof ITEM_TASK_TYPE];

export const ITEM_NOUN: Record<StepName, string> = {
  script_parsing: "script",
  character_generation: "character",
  storyboard_generation: "storyboard",
  video_rendering: "video",
};

export const GENERATORS = ["builtin", "external"] as const;
export type Generator = (typeof GENERATORS)[number];

export function isStepName(value: string | null | undefined): value is StepName {
  return !!value && (STEP_NAMES as readonly string[]).includes(value);
}

/** Item references of fan-out children: `character:12`, `storyboard:34`. */
export function itemRef(kind: "character" | "storyboard", id: number): string {
  return `${kind}:${id}`;
}

export function parseItemRef(
  ref: string | null | undefined,
): { kind: "character" | "storyboard"; id: number } | null {
  const m = /^(character|storyboard):(\d+)$/.exec(ref ?? "");
  return m ? { kind: m[1] as "character" | "storyboard", id: Number(m[2]) } : null;
}
