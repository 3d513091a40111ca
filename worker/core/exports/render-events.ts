import { sha256Hex } from "../../../contracts/crypto";
import type { RenderEvent } from "../../../contracts/render-events";
import { runBatch } from "../../db/client";
import { findExportById, renderProgressStatements } from "../../db/queries/exports";
import { findUploadToken } from "../../db/queries/upload-tokens";
import { AppError, notFound } from "../../platform/errors";
import type { AppContext } from "../context";
import { reportRenderProgress } from "./progress";
import { settleExport } from "./settle";

/** How long a render's step keeps its lease after a sign of life. */
const LEASE_AFTER_PROGRESS_MS = 10 * 60_000;

type Outputs = Extract<RenderEvent, { type: "completed" }>["outputs"];

/**
 * The outputs a completion reports must be in R2, uploaded through this export's own tokens, with
 * the sizes reported; otherwise the completion is refused (409) and nothing is settled.
 */
async function verifyOutputs(ctx: AppContext, exportId: number, outputs: Outputs) {
  const keys: Record<string, string> = {};
  for (const [name, file] of Object.entries(outputs)) {
    if (!file) continue;
    const token = /\/internal\/uploads\/([A-Za-z0-9_-]{43})$/.exec(new URL(file.url).pathname)?.[1];
    const row = token ? await findUploadToken(ctx.db, await sha256Hex(token)) : undefined;
    if (!row || row.purpose !== `export:${exportId}:${name}`) {
      throw new AppError("CONFLICT", `The ${name} output was not uploaded for this export`);
    }
    const object = await ctx.env.BUCKET.head(row.r2Key);
    if (!object || object.size !== file.size || (name === "video" && object.size === 0)) {
      throw new AppError(
        "CONFLICT",
        `The ${name} output is ${object ? `${object.size} bytes in storage, not ${file.size}` : "missing from storage"}`,
      );
    }
    keys[name] = row.r2Key;
  }
  if (!keys.video) throw new AppError("CONFLICT", "The completion reports no video");
  return keys;
}

export async function applyRenderEvent(ctx: AppContext, exportId: number, ev: RenderEvent) {
  const exp = await findExportById(ctx.db, exportId);
  if (!exp) throw notFound("Export");
  switch (ev.type) {
    case "progress": {
      // A render that reports progress is alive: its step keeps its lease.
      await runBatch(
        ctx.db,
        renderProgressStatements(ctx.db, exp, ev.progress, ctx.now + LEASE_AFTER_PROGRESS_MS, ctx.now),
      );
      if (["queued", "processing"].includes(exp.status)) {
        await reportRenderProgress(ctx, exp, ev);
      }
      return { ok: true };
    }
    case "completed": {
      if (exp.status === "completed") return { ok: true, applied: false };
      const keys = await verifyOutputs(ctx, exp.id, ev.outputs);
      const applied = await settleExport(ctx, exp.id, {
        outcome: "completed",
        patch: {
          videoKey: keys.video ?? null,
          subtitleKey: keys.srt ?? null,
          vttKey: keys.vtt ?? null,
          posterKey: keys.poster ?? null,
          contactSheetKey: keys.contact_sheet ?? null,
          fileSize: ev.outputs.video.size,
          duration: ev.duration,
          encoder: ev.encoder,
          renderSeconds: ev.render_seconds,
        },
      });
      return { ok: true, applied };
    }
    case "failed":
      return { ok: true, applied: await settleExport(ctx, exp.id, { outcome: "failed", error: ev.error }) };
    case "cancelled":
      return { ok: true, applied: await settleExport(ctx, exp.id, { outcome: "cancelled" }) };
  }
}
