import { jwtVerify } from "jose";
import { HttpResponse, http } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openMedia } from "../../worker/providers/download";
import { adapterFor } from "../../worker/providers/registry";
import type { VideoAdapter, VideoRequest } from "../../worker/providers/types";
import { server } from "../helpers/msw";
import { CANARY, CANARY_SECRET, deps, expectNoCanary, MP4, png, providerError, recorder } from "./helpers";

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const shot: VideoRequest = {
  model: "",
  prompt: "Lin turns to the camera, wind in her hair",
  firstFrame: { url: "https://files.example.com/shots/3.png" },
  durationSeconds: 5,
  aspectRatio: "9:16",
  resolution: "720p",
};

/** Starts, then polls with only the stored job id (as a restarted Worker would) until not pending. */
async function runToEnd(
  adapter: VideoAdapter,
  request: VideoRequest,
  creds: Record<string, string>,
  maxPolls = 10,
) {
  const started = await adapter.start(request, creds, deps());
  expect(started.state).toBe("pending");
  if (started.state !== "pending") throw new Error("not pending");
  expectNoCanary(started.jobId);
  const jobId = JSON.parse(JSON.stringify(started.jobId)) as string; // what D1 would give back
  for (let i = 0; i < maxPolls; i++) {
    const polled = await adapter.poll!(jobId, creds, deps());
    if (polled.state !== "pending") return { polled, polls: i + 1 };
  }
  throw new Error("still pending");
}

// Doc: Volcengine Ark, "创建视频生成任务 API" (www.volcengine.com/docs/82379/1520757) and "查询视频
// 生成任务 API" (1521309): POST /api/v3/contents/generations/tasks {model, content: [{type: text},
// {type: image_url, role: first_frame}], ratio, duration, resolution, generate_audio, watermark}.
describe("Seedance on Ark", () => {
  const base = "https://ark.cn-beijing.volces.com/api/v3/contents/generations/tasks";

  it("submits once with the first frame, stays running for several polls, then succeeds", async () => {
    const submits = recorder();
    let polls = 0;
    server.use(
      http.post(
        base,
        submits.record(() => HttpResponse.json({ id: "cgt-2026-1" })),
      ),
      http.get(`${base}/cgt-2026-1`, () => {
        polls++;
        return HttpResponse.json(
          polls < 4
            ? {
                id: "cgt-2026-1",
                model: "doubao-seedance-1-0-pro-250528",
                status: polls === 1 ? "queued" : "running",
              }
            : {
                id: "cgt-2026-1",
                model: "doubao-seedance-1-0-pro-250528",
                status: "succeeded",
                content: { video_url: "https://ark-content.tos-cn-beijing.volces.com/v.mp4" },
                duration: 5,
              },
        );
      }),
    );
    const { polled, polls: n } = await runToEnd(
      adapterFor("ark", "video")!,
      { ...shot, model: "doubao-seedance-1-0-pro-250528" },
      { api_key: CANARY },
    );
    expect(n).toBe(4);
    expect(polled).toMatchObject({
      state: "done",
      result: {
        video: { type: "url", url: "https://ark-content.tos-cn-beijing.volces.com/v.mp4" },
        durationSeconds: 5,
      },
    });
    expect(submits.requests).toHaveLength(1);
    const sent = submits.requests[0]!;
    expect(sent.headers.get("authorization")).toBe(`Bearer ${CANARY}`);
    const body = (await sent.json()) as any;
    expect(body).toMatchObject({
      model: "doubao-seedance-1-0-pro-250528",
      ratio: "9:16",
      duration: 5,
      resolution: "720p",
      generate_audio: false,
      watermark: false,
    });
    expect(body.content).toEqual([
      { type: "text", text: shot.prompt },
      { type: "image_url", image_url: { url: "https://files.example.com/shots/3.png" }, role: "first_frame" },
    ]);
  });

  it("a failed task is a failed poll with Ark's reason; the callback body reads the same way", async () => {
    server.use(
      http.post(base, () => HttpResponse.json({ id: "cgt-2" })),
      http.get(`${base}/cgt-2`, () =>
        HttpResponse.json({
          id: "cgt-2",
          status: "failed",
          error: { code: "InputImageSensitiveContentDetected", message: "sensitive" },
        }),
      ),
    );
    const { polled } = await runToEnd(
      adapterFor("dreamina", "video")!,
      { ...shot, model: "doubao-seedance-1-0-pro-250528" },
      { api_key: CANARY },
    );
    expect(polled).toMatchObject({
      state: "failed",
      error: { code: "refused", message: expect.stringContaining("InputImageSensitiveContentDetected") },
    });
    const cb = adapterFor("ark", "video")!.acceptCallback!({
      id: "cgt-3",
      status: "succeeded",
      content: { video_url: "https://x.example.com/v.mp4" },
    });
    expect(cb).toMatchObject({ state: "done", result: { video: { url: "https://x.example.com/v.mp4" } } });
    expect(adapterFor("ark", "video")!.acceptCallback!({ nonsense: true })).toBeNull();
  });
});

// Doc: Kling API, "Image to Video" (app.klingai.com/global/dev/document-api/apiReference/model/
// imageToVideo) and "API authentication" (JWT HS256: iss = access key, exp, nbf).
describe("Kling image2video", () => {
  const base = "https://api-singapore.klingai.com/v1/videos/image2video";
  const creds = { access_key: CANARY, secret_key: CANARY_SECRET };

  it("signs a JWT from the access and secret keys, submits once and polls to the result", async () => {
    const submits = recorder();
    let polls = 0;
    server.use(
      http.post(
        base,
        submits.record(() =>
          HttpResponse.json({
            code: 0,
            message: "SUCCEED",
            request_id: "r",
            data: { task_id: "k-1", task_status: "submitted" },
          }),
        ),
      ),
      http.get(`${base}/k-1`, () => {
        polls++;
        return HttpResponse.json({
          code: 0,
          message: "SUCCEED",
          data:
            polls < 3
              ? { task_id: "k-1", task_status: "processing" }
              : {
                  task_id: "k-1",
                  task_status: "succeed",
                  task_result: {
                    videos: [{ id: "v", url: "https://cdn.klingai.com/v.mp4", duration: "5.1" }],
                  },
                },
        });
      }),
    );
    const { polled } = await runToEnd(
      adapterFor("kling", "video")!,
      { ...shot, model: "kling-v2-1", firstFrame: { bytes: png(720, 1280), mediaType: "image/png" } },
      creds,
    );
    expect(polled).toMatchObject({
      state: "done",
      result: { video: { url: "https://cdn.klingai.com/v.mp4" }, durationSeconds: 5.1 },
    });
    expect(submits.requests).toHaveLength(1);
    const sent = submits.requests[0]!;
    const token = sent.headers.get("authorization")!.replace(/^Bearer /, "");
    const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(CANARY_SECRET), {
      currentDate: new Date(Date.UTC(2026, 11, 1)),
    });
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload.iss).toBe(CANARY);
    expect(payload.exp! - payload.nbf!).toBe(1805);
    const body = (await sent.json()) as any;
    expect(body).toMatchObject({ model_name: "kling-v2-1", duration: "5", mode: "std" });
    expect(body.image).not.toMatch(/^data:/); // Kling wants bare base64
  });

  it("Kling's business codes: 1303 is rate_limited, 1301 a refusal", async () => {
    server.use(
      http.post(base, () =>
        HttpResponse.json({ code: 1303, message: "parallel task over resource pack limit" }, { status: 429 }),
      ),
    );
    await providerError(
      adapterFor("kling", "video")!.start({ ...shot, model: "kling-v2-1" }, creds, deps()),
      "rate_limited",
    );
    server.use(http.post(base, () => HttpResponse.json({ code: 1301, message: "content security policy" })));
    await providerError(
      adapterFor("kling", "video")!.start({ ...shot, model: "kling-v2-1" }, creds, deps()),
      "refused",
    );
  });
});

// Doc: MiniMax, "Video Generation" (platform.minimax.io/docs/api-reference/video-generation-i2v):
// POST /v1/video_generation, GET /v1/query/video_generation?task_id=, GET /v1/files/retrieve.
describe("MiniMax Hailuo", () => {
  it("polls until Success, then reads the download URL of the file", async () => {
    const submits = recorder();
    let polls = 0;
    server.use(
      http.post(
        "https://api.minimax.io/v1/video_generation",
        submits.record(() =>
          HttpResponse.json({ task_id: "h-1", base_resp: { status_code: 0, status_msg: "success" } }),
        ),
      ),
      http.get("https://api.minimax.io/v1/query/video_generation", ({ request }) => {
        expect(new URL(request.url).searchParams.get("task_id")).toBe("h-1");
        polls++;
        return HttpResponse.json(
          polls < 3
            ? {
                task_id: "h-1",
                status: polls === 1 ? "Queueing" : "Processing",
                base_resp: { status_code: 0 },
              }
            : { task_id: "h-1", status: "Success", file_id: "f-9", base_resp: { status_code: 0 } },
        );
      }),
      http.get("https://api.minimax.io/v1/files/retrieve", () =>
        HttpResponse.json({
          file: {
            file_id: "f-9",
            download_url: "https://public-cdn-video-data-algeng.oss-cn-wulanchabu.aliyuncs.com/v.mp4",
          },
          base_resp: { status_code: 0 },
        }),
      ),
    );
    const { polled } = await runToEnd(
      adapterFor("minimax", "video")!,
      { ...shot, model: "MiniMax-Hailuo-02", durationSeconds: 6 },
      { api_key: CANARY },
    );
    expect(polled).toMatchObject({ state: "done", result: { video: { type: "url" } } });
    expect(submits.requests).toHaveLength(1);
    expect(await submits.requests[0]!.json()).toMatchObject({
      model: "MiniMax-Hailuo-02",
      first_frame_image: "https://files.example.com/shots/3.png",
      duration: 6,
      resolution: "768P",
    });
  });

  it("a failed task is failed", async () => {
    server.use(
      http.post("https://api.minimax.io/v1/video_generation", () =>
        HttpResponse.json({ task_id: "h-2", base_resp: { status_code: 0 } }),
      ),
      http.get("https://api.minimax.io/v1/query/video_generation", () =>
        HttpResponse.json({ task_id: "h-2", status: "Fail", base_resp: { status_code: 0 } }),
      ),
    );
    const { polled } = await runToEnd(
      adapterFor("minimax", "video")!,
      { ...shot, model: "MiniMax-Hailuo-02" },
      { api_key: CANARY },
    );
    expect(polled.state).toBe("failed");
  });
});

// Doc: Vidu API, "Image to Video" (platform.vidu.com/docs/image-to-video) and "Get Generation"
// (GET /ent/v2/tasks/{id}/creations); header `Authorization: Token {key}`.
describe("Vidu img2video", () => {
  it("submits with Token auth and bgm off, polls to the creation", async () => {
    const submits = recorder();
    let polls = 0;
    server.use(
      http.post(
        "https://api.vidu.com/ent/v2/img2video",
        submits.record(() => HttpResponse.json({ task_id: "vd-1", state: "created" })),
      ),
      http.get("https://api.vidu.com/ent/v2/tasks/vd-1/creations", () => {
        polls++;
        return HttpResponse.json(
          polls < 2
            ? { id: "vd-1", state: "processing" }
            : {
                id: "vd-1",
                state: "success",
                creations: [{ id: "c", url: "https://vidu.example.com/v.mp4" }],
              },
        );
      }),
    );
    const { polled } = await runToEnd(
      adapterFor("vidu", "video")!,
      { ...shot, model: "viduq1" },
      { api_key: CANARY },
    );
    expect(polled).toMatchObject({
      state: "done",
      result: { video: { url: "https://vidu.example.com/v.mp4" } },
    });
    const sent = submits.requests[0]!;
    expect(sent.headers.get("authorization")).toBe(`Token ${CANARY}`);
    expect(await sent.json()).toMatchObject({
      model: "viduq1",
      images: ["https://files.example.com/shots/3.png"],
      bgm: false,
      duration: 5,
      resolution: "720p",
    });
  });
});

// Doc: Alibaba Cloud Model Studio, "Wan image-to-video API" (help.aliyun.com/zh/model-studio/
// image-to-video-api-reference): POST .../video-generation/video-synthesis with
// `X-DashScope-Async: enable`, then GET /api/v1/tasks/{task_id}.
describe("Wan on DashScope (@ai-sdk/alibaba)", () => {
  it("submits asynchronously and polls the task", async () => {
    const submits = recorder();
    let polls = 0;
    server.use(
      http.post(
        "https://dashscope.aliyuncs.com/api/v1/services/aigc/video-generation/video-synthesis",
        submits.record(() =>
          HttpResponse.json({ output: { task_status: "PENDING", task_id: "w-1" }, request_id: "r" }),
        ),
      ),
      http.get("https://dashscope.aliyuncs.com/api/v1/tasks/w-1", () => {
        polls++;
        return HttpResponse.json(
          polls < 3
            ? { output: { task_id: "w-1", task_status: "RUNNING" } }
            : {
                output: {
                  task_id: "w-1",
                  task_status: "SUCCEEDED",
                  video_url: "https://dashscope-result.oss.aliyuncs.com/w.mp4",
                },
                usage: { duration: 5 },
              },
        );
      }),
    );
    const { polled } = await runToEnd(
      adapterFor("dashscope", "video")!,
      { ...shot, model: "wan2.2-i2v-plus" },
      { api_key: CANARY },
    );
    expect(polled).toMatchObject({
      state: "done",
      result: { video: { url: "https://dashscope-result.oss.aliyuncs.com/w.mp4" } },
    });
    const sent = submits.requests[0]!;
    expect(sent.headers.get("x-dashscope-async")).toBe("enable");
    expect(sent.headers.get("authorization")).toBe(`Bearer ${CANARY}`);
    const body = (await sent.json()) as any;
    expect(body.model).toBe("wan2.2-i2v-plus");
    expect(body.input.img_url).toBe("https://files.example.com/shots/3.png");
    expect(body.parameters).toMatchObject({ duration: 5, resolution: "720P", audio: false });
  });

  it("a 5xx while polling throws provider_unavailable (the job stays recorded; poll again later)", async () => {
    server.use(
      http.get("https://dashscope.aliyuncs.com/api/v1/tasks/w-2", () =>
        HttpResponse.json({ code: "InternalError", message: "busy" }, { status: 500 }),
      ),
    );
    await providerError(
      adapterFor("dashscope", "video")!.poll!(
        JSON.stringify({ model: "wan2.2-i2v-plus", operation: { taskId: "w-2" } }),
        { api_key: CANARY },
        deps(),
      ),
      "provider_unavailable",
    );
  });
});

// Doc: Runway API reference, "Generate a video from an image" (POST /v1/image_to_video
// {model, promptImage, promptText, ratio, duration}).
describe("Runway image_to_video", () => {
  it("sends the first frame and the nearest Runway ratio", async () => {
    const submits = recorder();
    server.use(
      http.post(
        "https://api.dev.runwayml.com/v1/image_to_video",
        submits.record(() => HttpResponse.json({ id: "rv-1" })),
      ),
      http.get("https://api.dev.runwayml.com/v1/tasks/rv-1", () =>
        HttpResponse.json({
          id: "rv-1",
          status: "SUCCEEDED",
          output: ["https://dnznrvs05pmza.cloudfront.net/v.mp4"],
        }),
      ),
    );
    const { polled } = await runToEnd(
      adapterFor("runway", "video")!,
      { ...shot, model: "gen4_turbo", durationSeconds: 8 },
      { api_key: CANARY },
    );
    expect(polled.state).toBe("done");
    expect(await submits.requests[0]!.json()).toMatchObject({
      model: "gen4_turbo",
      promptImage: [{ uri: "https://files.example.com/shots/3.png", position: "first" }],
      ratio: "720:1280",
      duration: 10,
    });
  });

  it("a job id from another adapter is refused", async () => {
    await providerError(
      adapterFor("runway", "video")!.poll!("not json", { api_key: CANARY }, deps()),
      "refused",
    );
  });
});

describe("openMedia (the core streams a result URL into R2)", () => {
  it("streams a video whose first bytes are a video, and refuses one that is not", async () => {
    server.use(
      http.get(
        "https://cdn.example.com/ok.mp4",
        () => new HttpResponse(MP4, { headers: { "content-length": String(MP4.byteLength) } }),
      ),
      http.get("https://cdn.example.com/fake.mp4", () => new HttpResponse(png(10, 10))),
    );
    const opened = await openMedia("https://cdn.example.com/ok.mp4", "video", deps());
    expect(opened.mediaType).toBe("video/mp4");
    expect(new Uint8Array(await new Response(opened.stream).arrayBuffer())).toEqual(MP4);
    await providerError(openMedia("https://cdn.example.com/fake.mp4", "video", deps()), "malformed_response");
    await providerError(openMedia("http://127.0.0.1/v.mp4", "video", deps()), "refused");
  });
});
