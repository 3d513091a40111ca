import { z } from "zod";
import { ProviderError } from "../errors";
import { callContext } from "../http";
import { imageInputUrl, verifyImage } from "../media";
import type { ImageAdapter } from "../types";
import {
  getRunwayTask,
  RUNWAY_BASE_URL,
  runwayFailure,
  startRunwayTask,
  textToImageBody,
} from "../vendors/runway";

const Job = z.object({ task: z.string().min(1), model: z.string(), width: z.number(), height: z.number() });

/**
 * Runway text-to-image (`gen4_image`) on the durable path: `start` submits the task and answers
 * pending with its id; `poll` reads the task and, once it succeeded, downloads the image through
 * the guarded fetch and verifies it, so an image result is always verified bytes. References go
 * out as `referenceImages: [{uri, tag}]` (signed URLs, or data URIs for bytes).
 */
export const runwayImage: ImageAdapter = {
  platform: "runway",
  kind: "image",
  async: true,
  async start(request, credentials, deps) {
    const ctx = callContext({
      vendor: "Runway",
      kind: "image",
      credentials,
      deps,
      defaultBaseUrl: RUNWAY_BASE_URL,
    });
    const body = textToImageBody(
      request.model,
      request.prompt,
      request.width,
      request.height,
      (request.references ?? []).map(imageInputUrl),
      request.seed,
    );
    const task = await startRunwayTask(ctx, credentials.api_key ?? "", "/v1/text_to_image", body);
    const [width, height] = String(body.ratio).split(":").map(Number) as [number, number];
    return {
      state: "pending",
      jobId: JSON.stringify({ task, model: request.model, width, height }),
      pollAfterMs: 3_000,
    };
  },
  async poll(jobId, credentials, deps) {
    const parsed = Job.safeParse(safeJson(jobId));
    if (!parsed.success) throw new ProviderError("refused", "Runway: not a job id of this adapter");
    const job = parsed.data;
    const ctx = callContext({
      vendor: "Runway",
      kind: "image",
      credentials,
      deps,
      defaultBaseUrl: RUNWAY_BASE_URL,
    });
    const task = await getRunwayTask(ctx, credentials.api_key ?? "", job.task);
    if (task.status === "FAILED" || task.status === "CANCELLED")
      return { state: "failed", error: runwayFailure(task) };
    if (task.status !== "SUCCEEDED") return { state: "pending", pollAfterMs: 3_000 };
    const url = task.output?.[0];
    if (!url)
      throw new ProviderError(
        "malformed_response",
        "Runway answered without a usable result: a finished task without output",
      );
    const { bytes } = await ctx.bytes(url);
    const verified = verifyImage("Runway", bytes, { width: job.width, height: job.height });
    return {
      state: "done",
      result: {
        image: { type: "bytes", bytes, mediaType: verified.mediaType },
        width: verified.width,
        height: verified.height,
        byteLength: bytes.byteLength,
        model: job.model,
        warnings: [],
      },
    };
  },
};

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
