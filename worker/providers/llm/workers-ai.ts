import { createWorkersAI } from "workers-ai-provider";
import { ProviderError } from "../errors";
import { callSignal } from "../http";
import { guardedBinding } from "../image/workers-ai-flux";
import type { LlmAdapter } from "../types";
import { generateStructured } from "./structured";

/**
 * Workers AI text models through the `AI` binding (workers-ai-provider): the edge default once
 * deployed, with no third-party key. The binding is the credential, so `credentials` may be
 * empty; `gateway_id` routes the call through an AI Gateway when the account names one.
 */
export const workersAiLlm: LlmAdapter = {
  platform: "workers_ai",
  kind: "llm",
  async: false,
  async start(request, credentials, deps) {
    if (!deps.ai)
      throw new ProviderError("refused", "Workers AI is not bound in this deployment (no AI binding)");
    const signal = callSignal(deps, "llm");
    const workersai = createWorkersAI({
      binding: guardedBinding(deps.ai, signal) as unknown as Ai,
      ...(credentials.gateway_id ? { gateway: { id: credentials.gateway_id } } : {}),
    });
    const result = await generateStructured(
      "Workers AI",
      workersai(request.model as Parameters<typeof workersai>[0]),
      request,
      [],
      signal,
    );
    return { state: "done", result };
  },
};
