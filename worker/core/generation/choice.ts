import { findGenerationDefaults } from "../../db/queries/worker-configs";
import { AppError } from "../../platform/errors";
import {
  adapterFor,
  defaultModel,
  isPlatformId,
  PLATFORMS,
  type PlatformId,
  type ProviderKind,
  type UnitPrice,
  unitPrice,
} from "../../providers";
import type { AppContext } from "../context";

/**
 * Which provider a step uses. In order: the workflow's `options` (`{llm: {platform, model}, image:
 * {platform, model, takes}}`), the owner's defaults (their highest-priority active worker config
 * with `config_type: "generation"`, `config_data` of the same shape), Workers AI when the `AI`
 * binding is there, and the offline built-in (the pure parser, the renderer's cards), which costs
 * nothing. Decided once when the workflow starts, stored with it, and named per step in its detail.
 */
export type GenKind = Extract<ProviderKind, "llm" | "image">;

export type ProviderChoice =
  | { platform: "builtin"; model: null; source: ChoiceSource }
  | {
      platform: PlatformId;
      model: string;
      source: ChoiceSource;
      /** Hundredths of a credit per unit (a 1k tokens, an image). */
      price: UnitPrice;
      takes: number;
    };

type ChoiceSource = "options" | "generation_config" | "workers_ai_binding" | "builtin";

export interface Choices {
  llm: ProviderChoice;
  image: ProviderChoice;
}

const BUILTIN = (source: ChoiceSource): ProviderChoice => ({ platform: "builtin", model: null, source });

/** Workers AI's defaults when the binding is the provider of last resort. */
const WORKERS_AI_DEFAULTS: Record<GenKind, string> = {
  llm: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
  image: "@cf/black-forest-labs/flux-2-klein-9b",
};

function invalid(field: string, message: string): AppError {
  return new AppError("VALIDATION_ERROR", message, { fieldErrors: [{ field, message }] });
}

function pick(
  kind: GenKind,
  raw: unknown,
  source: ChoiceSource,
  field: string,
  hasAi: boolean,
): ProviderChoice | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== "object") throw invalid(field, `${field} must be an object {platform, model}`);
  const { platform, model, takes } = raw as { platform?: unknown; model?: unknown; takes?: unknown };
  if (platform === "builtin") return BUILTIN(source);
  if (typeof platform !== "string" || !isPlatformId(platform))
    throw invalid(`${field}.platform`, `Unknown platform ${String(platform)}: see GET /api/v1/providers`);
  if (!adapterFor(platform, kind)) {
    const why = platform === "midjourney" ? " (Midjourney has no public API: use external workers)" : "";
    throw invalid(`${field}.platform`, `${PLATFORMS[platform].name} offers no ${kind} generation here${why}`);
  }
  if (platform === "workers_ai" && !hasAi)
    throw invalid(`${field}.platform`, "Workers AI is not bound to this deployment ([ai] in wrangler.toml)");
  const chosen =
    typeof model === "string" && model ? model : (defaultModel(platform, kind) ?? WORKERS_AI_DEFAULTS[kind]);
  const price = unitPrice(platform, kind, chosen);
  if (!price)
    throw invalid(
      `${field}.model`,
      `${PLATFORMS[platform].name} has no ${kind} model ${chosen}: see GET /api/v1/providers`,
    );
  const n = typeof takes === "number" && Number.isInteger(takes) ? Math.min(4, Math.max(1, takes)) : 1;
  return { platform, model: chosen, source, price, takes: kind === "image" ? n : 1 };
}

/** The providers of a workflow with these options, for this owner and deployment. */
export async function chooseProviders(
  ctx: AppContext,
  ownerId: number,
  options: { llm?: unknown; image?: unknown },
): Promise<Choices> {
  const hasAi = Boolean(ctx.env.AI);
  const defaults = (await findGenerationDefaults(ctx.db, ownerId)) ?? {};
  const one = (kind: GenKind): ProviderChoice =>
    pick(kind, options[kind], "options", `options.${kind}`, hasAi) ??
    pick(kind, defaults[kind], "generation_config", `generation config ${kind}`, hasAi) ??
    (hasAi
      ? (pick(
          kind,
          { platform: "workers_ai", model: WORKERS_AI_DEFAULTS[kind] },
          "workers_ai_binding",
          kind,
          true,
        ) ?? BUILTIN("builtin"))
      : BUILTIN("builtin"));
  return { llm: one("llm"), image: one("image") };
}

/** The stored form of a workflow's choices, and its reading back (null: a workflow from before). */
export function readChoices(raw: unknown): Choices {
  const value = (raw ?? {}) as Partial<Choices>;
  return { llm: value.llm ?? BUILTIN("builtin"), image: value.image ?? BUILTIN("builtin") };
}
