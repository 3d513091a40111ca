/**
 * The provider layer: below the core, above the vendors. See docs/providers.md.
 *
 * The core's use, in order: `adapterFor(platform, kind)`; `credentialsSchema(platform)` when an
 * account is saved; `requestHash(request)` recorded on the job row before `start`; `start`, then
 * `poll` with the stored job id until done; results as verified bytes, or a URL for `openMedia` /
 * `downloadImage`; prices from `unitPrice`.
 */
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
  adapterFor,
  credentialsSchema,
  defaultModel,
  isPlatformId,
  type ModelInfo,
  PLATFORM_IDS,
  PLATFORMS,
  type PlatformId,
  type PlatformInfo,
  type PriceOverrides,
  PriceOverridesSchema,
  type PriceUnit,
  priceTable,
  UNIT_OF_KIND,
  type UnitPrice,
  unitPrice,
} from "./registry";
export { requestHash, stableJson } from "./request-hash";
export * from "./types";
