import { delay, HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { adapterFor } from "../../worker/providers/registry";
import type { AiBinding, ImageRequest } from "../../worker/providers/types";
import { server } from "../helpers/msw";
import { b64, CANARY, deps, expectNoCanary, MP3, png, providerError, recorder } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ref = png(512, 512);
const portrait: ImageRequest = {
  model: "gpt-image-1",
  prompt: "Lin on a rooftop at night, cinematic",
  width: 720,
  height: 1280,
  references: [{ bytes: ref, mediaType: "image/png" }],
};

// Doc: OpenAI API reference, Images — "Create image" (POST /v1/images/generations) and
// "Create image edit" (POST /v1/images/edits, multipart, `image[]`), answers `{data: [{b64_json}]}`.
describe("OpenAI gpt-image", () => {
  const adapter = adapterFor("openai", "image")!;
  const creds = { api_key: CANARY };

  it("without references: generations, the nearest gpt-image size, verified bytes", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://api.openai.com/v1/images/generations",
        rec.record(() => HttpResponse.json({ created: 1, data: [{ b64_json: b64(png(1024, 1536)) }] })),
      ),
    );
    const out = await adapter.start({ ...portrait, references: [] }, creds, deps());
    expect(out.state).toBe("done");
    if (out.state !== "done") return;
    expect(out.result).toMatchObject({
      width: 1024,
      height: 1536,
      image: { type: "bytes", mediaType: "image/png" },
    });
    const sent = rec.requests[0]!;
    expect(sent.headers.get("authorization")).toBe(`Bearer ${CANARY}`);
    const body = (await sent.json()) as any;
    expect(body).toMatchObject({ model: "gpt-image-1", prompt: portrait.prompt, size: "1024x1536", n: 1 });
    expectNoCanary(out.result);
  });

  it("with references: the edits endpoint gets every reference as image[]", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://api.openai.com/v1/images/edits",
        rec.record(() => HttpResponse.json({ created: 1, data: [{ b64_json: b64(png(1024, 1536)) }] })),
      ),
    );
    const out = await adapter.start(
      {
        ...portrait,
        references: [
          { bytes: ref, mediaType: "image/png" },
          { bytes: png(256, 256), mediaType: "image/png" },
        ],
      },
      creds,
      deps(),
    );
    expect(out.state).toBe("done");
    const form = await rec.requests[0]!.formData();
    expect(form.get("model")).toBe("gpt-image-1");
    expect(form.get("prompt")).toBe(portrait.prompt);
    expect(form.getAll("image[]").length + form.getAll("image").length).toBe(2);
  });

  it("references given as signed URLs are fetched through the guard and checked first", async () => {
    const rec = recorder();
    server.use(
      http.get(
        "https://files.example.com/char/1.png",
        rec.record(() => new HttpResponse(ref, { headers: { "content-type": "image/png" } })),
      ),
      http.post("https://api.openai.com/v1/images/edits", () =>
        HttpResponse.json({ data: [{ b64_json: b64(png(1024, 1536)) }] }),
      ),
    );
    const out = await adapter.start(
      { ...portrait, references: [{ url: "https://files.example.com/char/1.png" }] },
      creds,
      deps(),
    );
    expect(out.state).toBe("done");
    expect(rec.requests).toHaveLength(1);
    server.use(http.get("https://files.example.com/char/2.png", () => new HttpResponse("not an image")));
    await providerError(
      adapter.start(
        { ...portrait, references: [{ url: "https://files.example.com/char/2.png" }] },
        creds,
        deps(),
      ),
      "malformed_response",
    );
  });

  it.each([
    ["JSON without an image", () => HttpResponse.json({ created: 1, data: [] })],
    ["a non-image", () => HttpResponse.json({ data: [{ b64_json: b64(MP3) }] })],
    ["an oversized image", () => HttpResponse.json({ data: [{ b64_json: b64(png(8000, 12000)) }] })],
    ["a wrong-sized image", () => HttpResponse.json({ data: [{ b64_json: b64(png(1024, 1024)) }] })],
    ["a 200 HTML page", () => HttpResponse.html("<!doctype html><title>Captive portal</title>")],
  ])("%s is a malformed_response", async (_what, answer) => {
    server.use(http.post("https://api.openai.com/v1/images/generations", answer));
    await providerError(adapter.start({ ...portrait, references: [] }, creds, deps()), "malformed_response");
  });

  it("a body larger than the cap is refused while it streams", async () => {
    server.use(
      http.post("https://api.openai.com/v1/images/generations", () => {
        const chunk = new TextEncoder().encode(`{"data":[{"b64_json":"${"A".repeat(64 * 1024)}`);
        let sent = 0;
        const stream = new ReadableStream({
          pull(c) {
            if (sent++ < 64) c.enqueue(chunk);
            else c.close();
          },
        });
        return new HttpResponse(stream, { headers: { "content-type": "application/json" } });
      }),
    );
    const error = await providerError(
      adapter.start({ ...portrait, references: [] }, creds, deps({ maxBytes: 1024 * 1024 })),
      "malformed_response",
    );
    expect(error.message).toMatch(/larger than/);
  });

  it("5xx is provider_unavailable, a hung request a timeout, a content refusal refused", async () => {
    server.use(
      http.post("https://api.openai.com/v1/images/generations", () =>
        HttpResponse.json({ error: { message: "overloaded" } }, { status: 503 }),
      ),
    );
    await providerError(
      adapter.start({ ...portrait, references: [] }, creds, deps()),
      "provider_unavailable",
    );
    server.use(
      http.post("https://api.openai.com/v1/images/generations", () =>
        HttpResponse.json(
          {
            error: { message: "Your request was rejected by the safety system.", code: "moderation_blocked" },
          },
          { status: 400 },
        ),
      ),
    );
    const refused = await providerError(
      adapter.start({ ...portrait, references: [] }, creds, deps()),
      "refused",
    );
    expect(refused.message).toContain("safety system");
    server.use(
      http.post("https://api.openai.com/v1/images/generations", async () => {
        await delay("infinite");
        return HttpResponse.json({});
      }),
    );
    await providerError(
      adapter.start({ ...portrait, references: [] }, creds, deps({ timeoutMs: 50 })),
      "timeout",
    );
  });
});

// Doc: Volcengine Ark, "图片生成 API" (www.volcengine.com/docs/82379/1541523): POST
// /api/v3/images/generations {model, prompt, image: [urls|data URIs], size, response_format,
// watermark} → {data: [{b64_json}]}.
describe("Seedream on Ark (and the documented dreamina platform)", () => {
  for (const platform of ["ark", "dreamina"] as const) {
    it(`${platform}: references as image[], watermark off, size scaled to Seedream's floor`, async () => {
      const rec = recorder();
      server.use(
        http.post(
          "https://ark.cn-beijing.volces.com/api/v3/images/generations",
          rec.record(() =>
            HttpResponse.json({
              model: "doubao-seedream-4-0-250828",
              data: [{ b64_json: b64(png(720, 1280)) }],
            }),
          ),
        ),
      );
      const out = await adapterFor(platform, "image")!.start(
        {
          ...portrait,
          model: "doubao-seedream-4-0-250828",
          references: [
            { bytes: ref, mediaType: "image/png" },
            { bytes: ref, mediaType: "image/png" },
          ],
        },
        { api_key: CANARY },
        deps(),
      );
      expect(out.state).toBe("done");
      const sent = rec.requests[0]!;
      expect(sent.headers.get("authorization")).toBe(`Bearer ${CANARY}`);
      const body = (await sent.json()) as any;
      expect(body.model).toBe("doubao-seedream-4-0-250828");
      expect(body.image).toHaveLength(2);
      expect(body.image[0]).toMatch(/^data:image\/png;base64,/);
      expect(body.watermark).toBe(false);
      expect(body.response_format).toBe("b64_json");
      expect(body.size).toBe("720x1280");
    });
  }

  it("an Ark error body with a policy code is refused with Ark's reason", async () => {
    server.use(
      http.post("https://ark.cn-beijing.volces.com/api/v3/images/generations", () =>
        HttpResponse.json(
          {
            error: {
              code: "OutputImageSensitiveContentDetected",
              message: "The request failed because the output image may contain sensitive information.",
            },
          },
          { status: 400 },
        ),
      ),
    );
    const error = await providerError(
      adapterFor("ark", "image")!.start(
        { ...portrait, model: "doubao-seedream-4-0-250828" },
        { api_key: CANARY },
        deps(),
      ),
      "refused",
    );
    expect(error.message).toContain("sensitive information");
  });
});

// Doc: fal model API, FLUX.2 [dev] edit (fal.ai/models/fal-ai/flux-2/edit/api): POST
// https://fal.run/fal-ai/flux-2/edit {prompt, image_urls, image_size}, `Authorization: Key ...`,
// answers {images: [{url, width, height, content_type}]}.
describe("FLUX on fal", () => {
  it("references go to the /edit variant as image_urls; the image URL is downloaded and verified", async () => {
    const rec = recorder();
    server.use(
      http.post(
        "https://fal.run/fal-ai/flux-2/edit",
        rec.record(() =>
          HttpResponse.json({
            images: [
              {
                url: "https://v3.fal.media/files/out.png",
                width: 720,
                height: 1280,
                content_type: "image/png",
              },
            ],
            seed: 1,
            prompt: "x",
          }),
        ),
      ),
      http.get(
        "https://v3.fal.media/files/out.png",
        () => new HttpResponse(png(720, 1280), { headers: { "content-type": "image/png" } }),
      ),
    );
    const out = await adapterFor("fal", "image")!.start(
      { ...portrait, model: "fal-ai/flux-2" },
      { api_key: CANARY },
      deps(),
    );
    expect(out.state === "done" && out.result.width).toBe(720);
    const sent = rec.requests[0]!;
    expect(sent.headers.get("authorization")).toBe(`Key ${CANARY}`);
    const body = (await sent.json()) as any;
    expect(body.image_urls).toHaveLength(1);
    expect(body.image_size).toEqual({ width: 720, height: 1280 });
  });

  it("a result URL on a private host is never fetched", async () => {
    server.use(
      http.post("https://fal.run/fal-ai/flux-2", () =>
        HttpResponse.json({ images: [{ url: "http://10.0.0.5/out.png" }] }),
      ),
    );
    await providerError(
      adapterFor("fal", "image")!.start(
        { ...portrait, model: "fal-ai/flux-2", references: [] },
        { api_key: CANARY },
        deps(),
      ),
      "refused",
    );
  });
});

// Doc: Workers AI, FLUX.2 [klein] 9B (developers.cloudflare.com/workers-ai/models/flux-2-klein-9b):
// multipart form inputs (prompt, width, height, input_image_0..3) passed to the binding as
// `{multipart: {body, contentType}}`; answers `{image: base64}`.
describe("FLUX.2 on Workers AI (AI binding)", () => {
  it("sends multipart with the references and verifies the answer", async () => {
    let seen: { model: string; form: FormData } | undefined;
    const ai: AiBinding = {
      async run(model, inputs) {
        const mp = inputs.multipart as { body: ReadableStream; contentType: string };
        const form = await new Response(mp.body, { headers: { "content-type": mp.contentType } }).formData();
        seen = { model, form };
        return { image: b64(png(720, 1280)) };
      },
    };
    const out = await adapterFor("workers_ai", "image")!.start(
      { ...portrait, model: "@cf/black-forest-labs/flux-2-klein-9b" },
      {},
      deps({ ai }),
    );
    expect(out.state === "done" && out.result.height).toBe(1280);
    expect(seen?.model).toBe("@cf/black-forest-labs/flux-2-klein-9b");
    expect(seen?.form.get("prompt")).toBe(portrait.prompt);
    expect(seen?.form.get("width")).toBe("720");
    expect(seen?.form.get("input_image_0")).toBeInstanceOf(Blob);
  });

  it("an answer without an image is malformed", async () => {
    const ai: AiBinding = { run: async () => ({ errors: ["capacity"] }) };
    await providerError(
      adapterFor("workers_ai", "image")!.start(
        { ...portrait, model: "@cf/black-forest-labs/flux-2-dev" },
        {},
        deps({ ai }),
      ),
      "malformed_response",
    );
  });
});

// Doc: Runway API reference (docs.dev.runwayml.com/api): POST /v1/text_to_image {model,
// promptText, ratio, referenceImages: [{uri, tag}]} → {id}; GET /v1/tasks/{id} → {status,
// output}; headers `Authorization: Bearer`, `X-Runway-Version: 2024-11-06`.
describe("Runway text-to-image (async task)", () => {
  const adapter = adapterFor("runway", "image")!;
  const base = "https://api.dev.runwayml.com/v1";

  it("submits once, stays pending for several polls, then downloads and verifies the image", async () => {
    const submits = recorder();
    let polls = 0;
    server.use(
      http.post(
        `${base}/text_to_image`,
        submits.record(() => HttpResponse.json({ id: "task-1" })),
      ),
      http.get(`${base}/tasks/task-1`, () => {
        polls++;
        return HttpResponse.json(
          polls < 3
            ? { id: "task-1", status: polls === 1 ? "PENDING" : "RUNNING", progress: 0.5 }
            : {
                id: "task-1",
                status: "SUCCEEDED",
                output: ["https://dnznrvs05pmza.cloudfront.net/out.png?sig=1"],
              },
        );
      }),
      http.get("https://dnznrvs05pmza.cloudfront.net/out.png", () => new HttpResponse(png(1080, 1920))),
    );
    const started = await adapter.start({ ...portrait, model: "gen4_image" }, { api_key: CANARY }, deps());
    expect(started.state).toBe("pending");
    if (started.state !== "pending") return;
    expectNoCanary(started.jobId);
    const sent = submits.requests[0]!;
    expect(sent.headers.get("x-runway-version")).toBe("2024-11-06");
    expect(sent.headers.get("authorization")).toBe(`Bearer ${CANARY}`);
    const body = (await sent.json()) as any;
    expect(body).toMatchObject({ model: "gen4_image", promptText: portrait.prompt, ratio: "1080:1920" });
    expect(body.referenceImages[0]).toMatchObject({ tag: "ref1" });
    expect(body.referenceImages[0].uri).toMatch(/^data:image\/png;base64,/);

    // Each poll is a fresh call with only the stored job id, as after a Worker restart.
    expect((await adapter.poll!(started.jobId, { api_key: CANARY }, deps())).state).toBe("pending");
    expect((await adapter.poll!(started.jobId, { api_key: CANARY }, deps())).state).toBe("pending");
    const done = await adapter.poll!(started.jobId, { api_key: CANARY }, deps());
    expect(done.state === "done" && done.result).toMatchObject({ width: 1080, height: 1920 });
    expect(submits.requests).toHaveLength(1);
  });

  it("a failed task is a failed poll with Runway's reason", async () => {
    server.use(
      http.get(`${base}/tasks/task-2`, () =>
        HttpResponse.json({
          id: "task-2",
          status: "FAILED",
          failure: "Prompt flagged by moderation",
          failureCode: "SAFETY.INPUT.TEXT",
        }),
      ),
    );
    const jobId = JSON.stringify({ task: "task-2", model: "gen4_image", width: 1080, height: 1920 });
    const out = await adapter.poll!(jobId, { api_key: CANARY }, deps());
    expect(out).toEqual({
      state: "failed",
      error: { code: "refused", message: expect.stringContaining("Prompt flagged") },
    });
  });
});

describe("references on a platform without them", () => {
  it("Midjourney has no adapter (external workers only)", () => {
    expect(adapterFor("midjourney", "image")).toBeNull();
  });
});
