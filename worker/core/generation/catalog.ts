import { adapterFor, PLATFORM_IDS, PLATFORMS, type ProviderKind, priceTable } from "../../providers";
import type { AppContext } from "../context";

/** The kinds the studio's steps call a provider for today. */
const WIRED: readonly ProviderKind[] = ["image"];

/** `GET /api/v1/providers`: the registry's platforms with their prices, for this deployment. */
export function providerCatalog(ctx: AppContext) {
  const prices = priceTable();
  return {
    items: PLATFORM_IDS.map((id) => {
      const p = PLATFORMS[id];
      return {
        platform: id,
        name: p.name,
        kinds: p.kinds,
        generated_here: WIRED.filter((k) => p.kinds.includes(k) && adapterFor(id, k) !== null),
        // Vendors are not probed from here; the Workers AI binding is known to be there or not.
        reachable: id === "workers_ai" ? Boolean(ctx.env.AI) : p.reachableFromHere,
        external_only: p.externalOnly,
        accepts_reference_images: p.acceptsReferenceImages,
        credential_fields: p.credentialFields,
        models: prices
          .filter((row) => row.platform === id)
          .map((row) => ({
            kind: row.kind,
            model: row.model,
            default: Boolean((p.models[row.kind] ?? []).find((m) => m.id === row.model)?.default),
            unit: row.unit,
            price: row.hundredths / 100,
          })),
        notes: p.notes ?? null,
      };
    }),
    builtin: {
      description:
        "The offline default: the pure script parser and the renderer's cards at the project's aspect ratio; costs nothing",
      price: 0 as const,
    },
  };
}
