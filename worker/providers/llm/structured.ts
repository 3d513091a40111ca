import type { LanguageModelV4 } from "@ai-sdk/provider";
import { generateText, NoObjectGeneratedError, Output } from "ai";
import { z } from "zod";
import { clip, ProviderError, redact, toProviderError } from "../errors";
import type { Adapter, Credentials, LlmRequest, LlmResult, ProviderDeps } from "../types";

/**
 * An LLM answer that is text but not valid data. It is a `malformed_response` like any other, and
 * also carries the text and the problem, so the core can decide to spend one repair call
 * (`request.repair`) before failing the step.
 */
export class LlmOutputError extends ProviderError {
  readonly rawText: string;
  readonly problem: string;
  constructor(vendor: string, rawText: string, problem: string) {
    super(
      "malformed_response",
      `${vendor} answered with data that does not fit the schema: ${clip(problem)}`,
    );
    this.name = "LlmOutputError";
    this.rawText = rawText;
    this.problem = problem;
  }
}

const MAX_REPAIR_ECHO = 20_000;

/**
 * One structured-output call through the AI SDK. The JSON schema is also written into the system
 * prompt: OpenAI-compatible servers that only offer `json_object` mode (DeepSeek, many gateways)
 * never see `response_format.json_schema`, and a model that is told the shape gets it right far
 * more often than one that is only validated afterwards. Retries are off: the core owns backoff.
 */
export async function generateStructured(
  vendor: string,
  model: LanguageModelV4,
  request: LlmRequest,
  secrets: readonly string[],
  signal: AbortSignal | undefined,
): Promise<LlmResult> {
  const jsonSchema = JSON.stringify(z.toJSONSchema(request.schema as z.ZodType, { io: "output" }));
  const system = [
    request.system ?? "",
    `Answer with one JSON object only, no prose and no code fences. It must validate against this JSON schema:\n${jsonSchema}`,
  ]
    .filter(Boolean)
    .join("\n\n");
  const prompt = request.repair
    ? [
        request.prompt,
        "Your previous answer was:",
        request.repair.previousText.slice(0, MAX_REPAIR_ECHO),
        `It was refused because: ${request.repair.problem}`,
        "Answer again with the corrected JSON object only.",
      ].join("\n\n")
    : request.prompt;
  try {
    const result = await generateText({
      model,
      system,
      prompt,
      output: Output.object({
        schema: request.schema as z.ZodType,
        ...(request.schemaName ? { name: request.schemaName } : {}),
        ...(request.schemaDescription ? { description: request.schemaDescription } : {}),
      }),
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
      maxRetries: 0,
      ...(signal ? { abortSignal: signal } : {}),
    });
    return {
      data: result.output,
      text: result.text,
      usage: { inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens },
      model: result.response.modelId || request.model,
    };
  } catch (error) {
    if (NoObjectGeneratedError.isInstance(error) && typeof error.text === "string") {
      const problem = describeProblem(error);
      throw new LlmOutputError(vendor, redact(error.text, secrets), redact(problem, secrets));
    }
    throw toProviderError(error, vendor, secrets);
  }
}

function describeProblem(error: NoObjectGeneratedError): string {
  const cause = error.cause as { message?: string; cause?: unknown } | undefined;
  const zodIssues = (cause?.cause as { issues?: Array<{ path: PropertyKey[]; message: string }> } | undefined)
    ?.issues;
  if (zodIssues?.length) {
    return zodIssues
      .slice(0, 5)
      .map((i) => `${i.path.map(String).join(".") || "(root)"}: ${i.message}`)
      .join("; ");
  }
  return cause?.message ?? error.message;
}

/**
 * `adapter.start` for an LLM with the schema's type kept: the adapters are stored in one
 * registry and typed for `unknown` data, and every LLM adapter is synchronous.
 */
export async function generateData<T>(
  adapter: Adapter<"llm">,
  request: LlmRequest<T>,
  credentials: Credentials,
  deps: ProviderDeps,
): Promise<LlmResult<T>> {
  const out = await adapter.start(request as LlmRequest, credentials, deps);
  if (out.state !== "done")
    throw new ProviderError("malformed_response", `${adapter.platform}: an LLM call did not finish`);
  return out.result as LlmResult<T>;
}
