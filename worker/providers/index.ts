/**
 * The provider layer: below the core, above the vendors. See docs/providers.md.
 *
 * The core's use, in order: `adapterFor(platform, kind)`; `credentialsSchema(platform)` when an
 * account is saved; `requestHash(request)` recorded on the job row before `start`; `start`, then
 * `poll` with the stored job id until done; results as verified bytes, or a URL for `openMedia` /
 * `downloadImage`; prices from `unitPrice`.
 */

export { credentialsSchema } from "./credentials";
export { downloadImage, type OpenedMedia, openMedia } from "./download";
export {
  PROVIDER_ERROR_CODES,
  ProviderError,
  type ProviderErrorCode,
  redact,
  type SerializedProviderError,
} from "./errors";
export { generateData, LlmOutputError } from "./llm/structured";
export {
  type ModelInfo,
  PLATFORM_IDS,
  PLATFORMS,
  type PlatformId,
  type PlatformInfo,
  type PriceUnit,
  UNIT_OF_KIND,
} from "./platforms";
export { type PriceOverrides, PriceOverridesSchema, priceTable, type UnitPrice, unitPrice } from "./prices";
export { adapterFor, defaultModel, isPlatformId } from "./registry";
export { requestHash, stableJson } from "./request-hash";
export * from "./types";
