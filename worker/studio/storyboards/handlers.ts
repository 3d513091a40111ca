import type { AppContext } from "../../core/context";
import { fileUrl } from "../../core/media/urls";
import type { CardStyle } from "../../core/studio/storyboard-images";
import * as storyboards from "../../core/studio/storyboards";
import { selectStoryboardTake, storyboardTakes } from "../../core/studio/takes";
import type { StoryboardRow } from "../../db/queries/storyboards";
import type { TakeRow } from "../../db/queries/takes";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { iso } from "../../platform/time";
import * as routes from "./routes";

const SOURCES = ["generated", "external", "upload"] as const;

export async function storyboardOut(ctx: AppContext, sb: StoryboardRow) {
  return {
    id: sb.id,
    project_id: sb.projectId,
    scene_number: sb.sceneNumber,
    description: sb.description,
    caption: sb.caption,
    character_ids: sb.characterIds,
    duration: sb.duration,
    image_url: await fileUrl(ctx, sb.imageKey),
    status: sb.status,
    style: (sb.style as CardStyle | null) ?? null,
    image_source: SOURCES.find((s) => s === sb.imageSource) ?? null,
    consistency_score: sb.consistencyScore,
    error: sb.error,
    created_at: iso(sb.createdAt),
    updated_at: iso(sb.updatedAt),
  };
}

async function takesOut(ctx: AppContext, storyboardId: number, rows: TakeRow[]) {
  return {
    storyboard_id: storyboardId,
    items: await Promise.all(
      rows.map(async (t) => ({
        id: t.id,
        media: "image" as const,
        image_url: (await fileUrl(ctx, t.r2Key)) ?? null,
        width: t.width,
        height: t.height,
        consistency_score: t.score,
        provider: t.platform,
        model: t.model,
        selected: t.selected,
        created_at: iso(t.createdAt),
      })),
    ),
  };
}

async function listOut(ctx: AppContext, rows: StoryboardRow[]) {
  return { total: rows.length, items: await Promise.all(rows.map((r) => storyboardOut(ctx, r))) };
}

export const storyboardsRouter = createRouter()
  .openapi(routes.createStoryboard, async (c) => {
    const ctx = contextOf(c);
    const row = await storyboards.createStoryboard(ctx, principalOf(c).userId, c.req.valid("json"));
    return c.json(await storyboardOut(ctx, row), 200);
  })
  .openapi(routes.listStoryboards, async (c) => {
    const ctx = contextOf(c);
    const rows = await storyboards.listStoryboards(
      ctx,
      principalOf(c).userId,
      c.req.valid("query").project_id,
    );
    return c.json(await listOut(ctx, rows), 200);
  })
  .openapi(routes.reorderStoryboards, async (c) => {
    const ctx = contextOf(c);
    const body = c.req.valid("json");
    const rows = await storyboards.reorderStoryboards(
      ctx,
      principalOf(c).userId,
      body.project_id,
      body.order,
    );
    return c.json(await listOut(ctx, rows), 200);
  })
  .openapi(routes.getStoryboard, async (c) => {
    const ctx = contextOf(c);
    const row = await storyboards.getStoryboard(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").storyboard_id,
    );
    return c.json(await storyboardOut(ctx, row), 200);
  })
  .openapi(routes.updateStoryboard, async (c) => {
    const ctx = contextOf(c);
    const row = await storyboards.editStoryboard(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").storyboard_id,
      c.req.valid("json"),
    );
    return c.json(await storyboardOut(ctx, row), 200);
  })
  .openapi(routes.deleteStoryboard, async (c) => {
    await storyboards.deleteStoryboard(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").storyboard_id,
    );
    return c.json({ message: "Storyboard deleted successfully" }, 200);
  })
  .openapi(routes.generateStoryboard, async (c) => {
    const ctx = contextOf(c);
    const style = c.req.valid("json")?.style ?? "cinematic";
    const { row, processingMs } = await storyboards.generateStoryboard(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").storyboard_id,
      style,
    );
    return c.json(
      {
        storyboard_id: row.id,
        image_url: (await fileUrl(ctx, row.imageKey)) ?? "",
        status: "completed" as const,
        style,
        processing_time: Math.round(processingMs) / 1000,
        consistency_score: row.consistencyScore,
      },
      200,
    );
  })
  .openapi(routes.overrideImage, async (c) => {
    const ctx = contextOf(c);
    const row = await storyboards.overrideStoryboardImage(
      ctx,
      principalOf(c).userId,
      c.req.valid("param").storyboard_id,
      c.req.valid("form").image,
    );
    return c.json(await storyboardOut(ctx, row), 200);
  })
  .openapi(routes.listTakes, async (c) => {
    const ctx = contextOf(c);
    const id = c.req.valid("param").storyboard_id;
    return c.json(await takesOut(ctx, id, await storyboardTakes(ctx, principalOf(c).userId, id)), 200);
  })
  .openapi(routes.selectTake, async (c) => {
    const ctx = contextOf(c);
    const { storyboard_id: id, take_id } = c.req.valid("param");
    return c.json(
      await takesOut(ctx, id, await selectStoryboardTake(ctx, principalOf(c).userId, id, take_id)),
      200,
    );
  });
