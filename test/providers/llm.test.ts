import { delay, HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { generateData, LlmOutputError } from "../../worker/providers/llm/structured";
import { adapterFor } from "../../worker/providers/registry";
import type { AiBinding, LlmRequest } from "../../worker/providers/types";
import { server } from "../helpers/msw";
import { CANARY, deps, expectNoCanary, providerError, recorder } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const Breakdown = z.object({
  scenes: z.array(z.object({ title: z.string(), shots: z.array(z.object({ description: z.string() })) })),
});

const request: LlmRequest = {
  model: "deepseek-chat",
  system: "You break scripts into shots.",
  prompt: "SCENE 1. A rooftop at night. Lin looks at the city.",
  schema: Breakdown,
  schemaName: "breakdown",
};

const answer = {
  scenes: [{ title: "Rooftop", shots: [{ description: "Lin at the parapet, city lights" }] }],
};

/** OpenAI Chat Completions response object (platform.openai.com/docs/api-reference/chat/object). */
function completion(content: string) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1_764_547_200,
    model: "deepseek-chat",
    choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }],
    usage: { prompt_tokens: 120, completion_tokens: 40, total_tokens: 160 },
  };
}

const creds = { api_key: CANARY, base_url: "https://api.deepseek.com/v1" };

// Doc: OpenAI API reference, "Create chat completion" (POST /chat/completions); DeepSeek's
// API docs (api-docs.deepseek.com, "JSON Output") for the OpenAI-compatible json_object mode.
describe("OpenAI-compatible LLM", () => {
  const adapter = adapterFor("openai_compatible", "llm")!;

  it("sends the documented request and returns validated data", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://api.deepseek.com/v1/chat/completions",
        rec.record(() => HttpResponse.json(completion(JSON.stringify(answer)))),
      ),
    );
    const out = await adapter.start(request, creds, deps());
    expect(out.state).toBe("done");
    if (out.state !== "done") return;
    expect(out.result.data).toEqual(answer);
    expect(out.result.usage).toEqual({ inputTokens: 120, outputTokens: 40 });
    expectNoCanary(out.result);

    expect(rec.requests).toHaveLength(1);
    const sent = rec.requests[0]!;
    expect(sent.headers.get("authorization")).toBe(`Bearer ${CANARY}`);
    expect(sent.headers.get("content-type")).toContain("application/json");
    const body = (await sent.json()) as any;
    expect(body.model).toBe("deepseek-chat");
    expect(body.response_format).toEqual({ type: "json_object" });
    expect(body.messages[0].role).toBe("system");
    expect(body.messages[0].content).toContain("You break scripts into shots.");
    expect(body.messages[0].content).toContain('"scenes"');
    expect(body.messages.at(-1)).toEqual({ role: "user", content: request.prompt });
  });

  it("asks for json_schema where the account says the server supports it", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://api.deepseek.com/v1/chat/completions",
        rec.record(() => HttpResponse.json(completion(JSON.stringify(answer)))),
      ),
    );
    await adapter.start(request, { ...creds, structured_outputs: "true" }, deps());
    const body = (await rec.requests[0]!.json()) as any;
    expect(body.response_format.type).toBe("json_schema");
    expect(body.response_format.json_schema.name).toBe("breakdown");
  });

  it("an answer that does not fit the schema is a malformed_response carrying the text for one repair", async () => {
    server.use(
      http.post("https://api.deepseek.com/v1/chat/completions", () =>
        HttpResponse.json(completion('{"scenes":[{"title":1}]}')),
      ),
    );
    const error = await providerError(adapter.start(request, creds, deps()), "malformed_response");
    expect(error).toBeInstanceOf(LlmOutputError);
    expect((error as LlmOutputError).rawText).toBe('{"scenes":[{"title":1}]}');
    expect((error as LlmOutputError).problem).toMatch(/scenes\.0/);

    const rec = recorder();
    server.use(
      http.post(
        "https://api.deepseek.com/v1/chat/completions",
        rec.record(() => HttpResponse.json(completion(JSON.stringify(answer)))),
      ),
    );
    const repaired = await adapter.start(
      {
        ...request,
        repair: {
          previousText: (error as LlmOutputError).rawText,
          problem: (error as LlmOutputError).problem,
        },
      },
      creds,
      deps(),
    );
    expect(repaired.state === "done" && repaired.result.data).toEqual(answer);
    const body = (await rec.requests[0]!.json()) as any;
    expect(body.messages.at(-1).content).toContain('{"scenes":[{"title":1}]}');
    expect(body.messages.at(-1).content).toContain("refused because");
  });

  it("prose instead of JSON is malformed too", async () => {
    server.use(
      http.post("https://api.deepseek.com/v1/chat/completions", () =>
        HttpResponse.json(completion("Sure! Here are the scenes...")),
      ),
    );
    await providerError(adapter.start(request, creds, deps()), "malformed_response");
  });

  it("429 with Retry-After is rate_limited with the delay", async () => {
    server.use(
      http.post("https://api.deepseek.com/v1/chat/completions", () =>
        HttpResponse.json(
          { error: { message: "Rate limit reached", type: "rate_limit" } },
          { status: 429, headers: { "retry-after": "17" } },
        ),
      ),
    );
    const error = await providerError(adapter.start(request, creds, deps()), "rate_limited");
    expect(error.retryAfterSeconds).toBe(17);
    expect(error.retryable).toBe(true);
  });

  it("401 is bad_credentials and the echoed key is scrubbed from the message", async () => {
    server.use(
      http.post("https://api.deepseek.com/v1/chat/completions", () =>
        HttpResponse.json({ error: { message: `Incorrect API key provided: ${CANARY}` } }, { status: 401 }),
      ),
    );
    const error = await providerError(adapter.start(request, creds, deps()), "bad_credentials");
    expect(error.message).toContain("***");
  });

  it("an HTML error page from a gateway is provider_unavailable, a 200 HTML page is malformed", async () => {
    server.use(
      http.post("https://api.deepseek.com/v1/chat/completions", () =>
        HttpResponse.html("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", { status: 502 }),
      ),
    );
    const down = await providerError(adapter.start(request, creds, deps()), "provider_unavailable");
    expect(down.message).toContain("HTML error page");
    server.use(
      http.post("https://api.deepseek.com/v1/chat/completions", () =>
        HttpResponse.html("<html>login</html>"),
      ),
    );
    await providerError(adapter.start(request, creds, deps()), "malformed_response");
  });

  it("a hung request times out through the AbortSignal", async () => {
    server.use(
      http.post("https://api.deepseek.com/v1/chat/completions", async () => {
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );
    await providerError(adapter.start(request, creds, deps({ timeoutMs: 50 })), "timeout");
  });

  it("a private base_url is refused before anything is sent", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "http://169.254.169.254/v1/chat/completions",
        rec.record(() => HttpResponse.json({})),
      ),
    );
    await providerError(
      adapter.start(request, { ...creds, base_url: "http://169.254.169.254/v1" }, deps()),
      "refused",
    );
    expect(rec.requests).toHaveLength(0);
  });

  it("DashScope chat goes to the compatible-mode route of the account's region", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://dashscope-intl.aliyuncs.com/compatible-mode/v1/chat/completions",
        rec.record(() => HttpResponse.json(completion(JSON.stringify(answer)))),
      ),
    );
    const out = await adapterFor("dashscope", "llm")!.start(
      { ...request, model: "qwen-plus" },
      { api_key: CANARY, base_url: "https://dashscope-intl.aliyuncs.com" },
      deps(),
    );
    expect(out.state).toBe("done");
    expect(rec.requests).toHaveLength(1);
  });
});

// Doc: Cloudflare Workers AI, "Text generation" models (developers.cloudflare.com/workers-ai/models/
// llama-3.3-70b-instruct-fp8-fast): binding `env.AI.run(model, {messages, response_format})`
// answers `{ response, usage }`. The binding is outside our system: a fake stands in for it.
describe("Workers AI LLM (AI binding)", () => {
  it("runs the model through the binding and validates the answer", async () => {
    const calls: Array<{ model: string; inputs: Record<string, unknown> }> = [];
    const ai: AiBinding = {
      async run(model, inputs) {
        calls.push({ model, inputs });
        return { response: JSON.stringify(answer), usage: { prompt_tokens: 10, completion_tokens: 5 } };
      },
    };
    const out = await generateData(
      adapterFor("workers_ai", "llm")!,
      { ...request, schema: Breakdown, model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast" },
      {},
      deps({ ai }),
    );
    // generateData keeps the schema's type: this line would not compile if `data` were unknown.
    expect(out.data.scenes[0]?.shots[0]?.description).toBe(answer.scenes[0]!.shots[0]!.description);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.model).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");
    const messages = calls[0]!.inputs.messages as Array<{ role: string; content: string }>;
    expect(messages[0]!.role).toBe("system");
    expect(messages.at(-1)!.content).toBe(request.prompt);
  });

  it("without the binding the call is refused, and a hung binding times out", async () => {
    const adapter = adapterFor("workers_ai", "llm")!;
    await providerError(adapter.start(request, {}, deps()), "refused");
    const hung: AiBinding = { run: () => new Promise(() => undefined) };
    await providerError(adapter.start(request, {}, deps({ ai: hung, timeoutMs: 50 })), "timeout");
  });
});
