import type { AppContext } from "../../core/context";
import { fileUrl } from "../../core/media/urls";
import * as characters from "../../core/studio/characters";
import type { CharacterRow } from "../../db/queries/characters";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { iso } from "../../platform/time";
import * as routes from "./routes";

export async function characterOut(ctx: AppContext, ch: CharacterRow) {
  return {
    id: ch.id,
    name: ch.name,
    project_id: ch.projectId,
    description: ch.description,
    image_url: await fileUrl(ctx, ch.imageKey),
    image:
      ch.imageKey && ch.imageContentType
        ? {
            content_type: ch.imageContentType,
            width: ch.imageWidth ?? 0,
            height: ch.imageHeight ?? 0,
            size_bytes: ch.imageBytes ?? 0,
          }
        : null,
    source: ch.source === "generated" ? ("generated" as const) : ("upload" as const),
    consistency_model_id: ch.consistencyModelId,
    created_at: iso(ch.createdAt),
    updated_at: iso(ch.updatedAt),
  };
}

export const charactersRouter = createRouter()
  .openapi(routes.createCharacter, async (c) => {
    const ctx = contextOf(c);
    const row = await characters.createCharacter(ctx, principalOf(c).userId, c.req.valid("form"));
    return c.json(await characterOut(ctx, row), 200);
  })
  .openapi(routes.listCharacters, async (c) => {
    const ctx = contextOf(c);
    const { total, items } = await characters.listOwnCharacters(
      ctx,
      principalOf(c).userId,
      c.req.valid("query"),
    );
    return c.json({ total, items: await Promise.all(items.map((ch) => characterOut(ctx, ch))) }, 200);
  })
  .openapi(routes.getCharacter, async (c) => {
    const ctx = contextOf(c);
    const row = await characters.getCharacter(ctx, principalOf(c).userId, c.req.valid("param").character_id);
    return c.json(await characterOut(ctx, row), 200);
  })
  .openapi(routes.updateCharacter, async (c) => {
    const ctx = contextOf(c);
    const row = await characters.editCharacter(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").character_id,
      c.req.valid("json"),
    );
    return c.json(await characterOut(ctx, row), 200);
  })
  .openapi(routes.replaceCharacterImage, async (c) => {
    const ctx = contextOf(c);
    const row = await characters.replaceCharacterImage(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").character_id,
      c.req.valid("form").image,
    );
    return c.json(await characterOut(ctx, row), 200);
  })
  .openapi(routes.deleteCharacter, async (c) => {
    await characters.deleteCharacter(contextOf(c), principalOf(c).userId, c.req.valid("param").character_id);
    return c.json({ message: "Character deleted successfully" }, 200);
  })
  .openapi(routes.buildConsistencyModel, async (c) => {
    const ctx = contextOf(c);
    const { row, processingMs } = await characters.rebuildConsistencyModel(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").character_id,
    );
    return c.json(
      {
        character_id: row.id,
        model_id: row.consistencyModelId ?? "",
        status: "completed" as const,
        processing_time: Math.round(processingMs) / 1000,
        signature: {
          phash: row.signature?.phash ?? "",
          histogram_bins: row.signature?.histogram.length ?? 0,
        },
        created_at: iso(row.signatureComputedAt ?? row.updatedAt),
      },
      200,
    );
  });
