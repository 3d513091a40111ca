import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { ProviderError, secretValues } from "../errors";
import { guardedFetch, guardUrl } from "../http";
import { DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT_MS, type LlmAdapter } from "../types";
import { generateStructured } from "./structured";

/**
 * Any OpenAI-compatible chat endpoint: base URL + key + model. One adapter covers OpenAI,
 * DeepSeek, Qwen (DashScope compatible mode), Doubao on Ark, Kimi, GLM and OpenRouter, because
 * they all speak `POST {base}/chat/completions` with a Bearer key. `json_schema` structured
 * output is only asked for where the server is known to support it (`structured_outputs`).
 */
export function openAiCompatibleLlm(options: {
  platform: string;
  vendor: string;
  defaultBaseUrl?: string;
  supportsStructuredOutputs: boolean;
  /** Appended to an account's base_url: DashScope's chat API lives under /compatible-mode/v1. */
  baseUrlSuffix?: string;
}): LlmAdapter {
  return {
    platform: options.platform,
    kind: "llm",
    async: false,
    async start(request, credentials, deps) {
      const secrets = secretValues(credentials);
      const baseUrl = credentials.base_url
        ? `${credentials.base_url.replace(/\/+$/, "")}${options.baseUrlSuffix ?? ""}`
        : (options.defaultBaseUrl ?? "");
      if (!baseUrl) throw new ProviderError("refused", `${options.vendor}: the account has no base_url`);
      guardUrl(baseUrl, options.vendor, deps.allowPrivateBaseUrls === true, secrets);
      const provider = createOpenAICompatible({
        name: options.platform,
        baseURL: baseUrl,
        ...(credentials.api_key ? { apiKey: credentials.api_key } : {}),
        supportsStructuredOutputs:
          credentials.structured_outputs !== undefined
            ? credentials.structured_outputs === "true"
            : options.supportsStructuredOutputs,
        fetch: guardedFetch({
          vendor: options.vendor,
          fetch: deps.fetch,
          signal: deps.signal,
          timeoutMs: deps.timeoutMs ?? DEFAULT_TIMEOUT_MS.llm,
          maxBytes: deps.maxBytes ?? DEFAULT_MAX_BYTES.llm,
          secrets,
          allowPrivate: deps.allowPrivateBaseUrls === true,
        }),
      });
      const result = await generateStructured(
        options.vendor,
        provider.chatModel(request.model),
        request,
        secrets,
        deps.signal,
      );
      return { state: "done", result };
    },
  };
}
