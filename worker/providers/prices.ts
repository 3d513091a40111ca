import { z } from "zod";
import { PLATFORM_IDS, PLATFORMS, type PlatformId, type PriceUnit, UNIT_OF_KIND } from "./platforms";
import type { ProviderKind } from "./types";

/** Our prices per unit (providers/platforms.ts holds the defaults) and operator overrides. */

/**
 * Operator overrides: `{ "<platform>": { "<model or *>": credits } }`, credits with at most two
 * decimals (they become integer hundredths). Validated, so a typo cannot make a model free.
 */
export const PriceOverridesSchema = z.partialRecord(
  z.enum(PLATFORM_IDS),
  z.record(
    z.string().min(1).max(200),
    z
      .number()
      .min(0)
      .max(100_000)
      .refine(
        (v) => Number.isInteger(Math.round(v * 100)) && Math.abs(v * 100 - Math.round(v * 100)) < 1e-6,
        {
          message: "at most two decimals",
        },
      ),
  ),
);
export type PriceOverrides = z.infer<typeof PriceOverridesSchema>;

export interface UnitPrice {
  unit: PriceUnit;
  /** Hundredths of a credit per unit. */
  hundredths: number;
}

/**
 * The price of one unit of a model, or null when the platform does not offer that model for
 * the kind. Overrides win, then the model's default, then the platform's `*` entry.
 */
export function unitPrice(
  platform: PlatformId,
  kind: ProviderKind,
  model: string,
  overrides: PriceOverrides = {},
): UnitPrice | null {
  const unit = UNIT_OF_KIND[kind];
  const override = overrides[platform]?.[model] ?? overrides[platform]?.["*"];
  const models = PLATFORMS[platform].models[kind] ?? [];
  const entry = models.find((m) => m.id === model) ?? models.find((m) => m.id === "*");
  if (!entry) return null;
  if (override !== undefined) return { unit, hundredths: Math.round(override * 100) };
  return { unit, hundredths: entry.price };
}

/** The full table (defaults with overrides applied), for docs and `GET /providers`. */
export function priceTable(overrides: PriceOverrides = {}) {
  return PLATFORM_IDS.flatMap((platform) =>
    (Object.keys(PLATFORMS[platform].models) as ProviderKind[]).flatMap((kind) =>
      (PLATFORMS[platform].models[kind] ?? []).map((m) => ({
        platform,
        kind,
        model: m.id,
        ...(unitPrice(platform, kind, m.id, overrides) as UnitPrice),
      })),
    ),
  );
}
