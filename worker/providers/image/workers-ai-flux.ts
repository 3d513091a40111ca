import type { ImageModelV4, ImageModelV4CallOptions, ImageModelV4Result } from "@ai-sdk/provider";
import { malformed, ProviderError } from "../errors";
import { callSignal, deadline } from "../http";
import { decodeBase64 } from "../media";
import { sdkImageAdapter } from "../sdk-adapters";
import type { AiBinding } from "../types";

/**
 * FLUX on Workers AI through the `AI` binding. workers-ai-provider's image model sends JSON
 * inputs only, but FLUX.2 ([dev], [klein]) takes multipart form data (prompt, width, height and
 * up to four `input_image_N` references) even without references, so this model is written by
 * hand in the AI SDK's `ImageModelV4` shape. FLUX.1 [schnell] keeps the JSON inputs. Both answer
 * `{ image: base64 }`.
 */
export class WorkersAiFluxImageModel implements ImageModelV4 {
  readonly specificationVersion = "v4" as const;
  readonly provider = "workers-ai.image";
  readonly maxImagesPerCall = 1;
  readonly supportsFileInputs: boolean;

  constructor(
    readonly modelId: string,
    private readonly binding: AiBinding,
    private readonly gatewayId?: string,
  ) {
    this.supportsFileInputs = isMultipart(modelId);
  }

  async doGenerate(options: ImageModelV4CallOptions): Promise<ImageModelV4Result> {
    const [width, height] = (options.size ?? "1024x1024").split("x").map(Number) as [number, number];
    const warnings: ImageModelV4Result["warnings"] = [];
    let inputs: Record<string, unknown>;
    if (isMultipart(this.modelId)) {
      const form = new FormData();
      form.append("prompt", options.prompt ?? "");
      form.append("width", String(width));
      form.append("height", String(height));
      if (options.seed !== undefined) form.append("seed", String(options.seed));
      (options.files ?? []).slice(0, 4).forEach((file, i) => {
        if (file.type !== "file") return;
        const data = typeof file.data === "string" ? decodeBase64("Workers AI", file.data) : file.data;
        form.append(
          `input_image_${i}`,
          new Blob([data as Uint8Array<ArrayBuffer>], { type: file.mediaType }),
        );
      });
      if ((options.files?.length ?? 0) > 4) {
        warnings.push({ type: "other", message: "FLUX.2 on Workers AI takes at most 4 reference images" });
      }
      const encoded = new Response(form);
      inputs = {
        multipart: {
          body: encoded.body,
          contentType: encoded.headers.get("content-type") ?? "multipart/form-data",
        },
      };
    } else {
      inputs = {
        prompt: options.prompt ?? "",
        width,
        height,
        ...(options.seed !== undefined ? { seed: options.seed } : {}),
      };
    }
    const output = await this.binding.run(this.modelId, inputs, {
      ...(this.gatewayId ? { gateway: { id: this.gatewayId } } : {}),
      ...(options.abortSignal ? { signal: options.abortSignal } : {}),
    });
    const image = (output as { image?: unknown } | null)?.image;
    if (typeof image !== "string" || !image) throw malformed("Workers AI", "no image in the answer");
    return {
      images: [decodeBase64("Workers AI", image)],
      warnings,
      response: { timestamp: new Date(), modelId: this.modelId, headers: undefined },
    };
  }
}

function isMultipart(modelId: string): boolean {
  return /flux-2/.test(modelId);
}

export const workersAiImage = sdkImageAdapter({
  platform: "workers_ai",
  vendor: "Workers AI",
  acceptsReferences: true,
  build({ credentials, ctx, request }) {
    const binding = ctx.deps.ai;
    if (!binding)
      throw new ProviderError("refused", "Workers AI is not bound in this deployment (no AI binding)");
    const signal = callSignal(ctx.deps, "image");
    const model = new WorkersAiFluxImageModel(
      request.model,
      guardedBinding(binding, signal),
      credentials.gateway_id,
    );
    return { model, size: { width: request.width, height: request.height } };
  },
});

/** The binding with the call's deadline applied, since a binding need not honour the signal. */
export function guardedBinding(binding: AiBinding, signal: AbortSignal): AiBinding {
  return {
    run: (model, inputs, options) =>
      deadline("Workers AI", signal, binding.run(model, inputs, { ...(options ?? {}), signal })),
  };
}
