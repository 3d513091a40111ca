import * as inspirations from "../../core/inspirations/inspirations";
import type { InspirationRow } from "../../db/queries/inspirations";
import { contextOf, principalOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import { storedJson } from "../../platform/json-schema";
import { iso } from "../../platform/time";
import { ok } from "../envelope";
import * as routes from "./routes";

function inspirationOut(i: InspirationRow) {
  return {
    id: i.id,
    title: i.title,
    description: i.description,
    project_type_code: i.projectTypeCode,
    source: i.source,
    parameters: storedJson(i.parameters, null),
    status: i.status,
    score: i.score,
    score_details: storedJson(i.scoreDetails, null),
    review_notes: i.reviewNotes,
    last_error: i.lastError,
    created_at: iso(i.createdAt),
    updated_at: iso(i.updatedAt),
  };
}

export const inspirationsRouter = createRouter()
  .openapi(routes.createInspiration, async (c) => {
    return ok(
      c,
      inspirationOut(
        await inspirations.createInspiration(contextOf(c), principalOf(c).userId, c.req.valid("json")),
      ),
    );
  })
  .openapi(routes.listInspirations, async (c) => {
    const rows = await inspirations.listOwnInspirations(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("query"),
    );
    return ok(c, rows.map(inspirationOut));
  })
  .openapi(routes.getInspiration, async (c) => {
    const row = await inspirations.getInspiration(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").inspiration_id,
    );
    return ok(c, inspirationOut(row));
  })
  .openapi(routes.updateInspiration, async (c) => {
    const row = await inspirations.updateInspiration(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").inspiration_id,
      c.req.valid("json"),
    );
    return ok(c, inspirationOut(row));
  })
  .openapi(routes.deleteInspiration, async (c) => {
    await inspirations.deleteInspiration(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").inspiration_id,
    );
    return ok(c, { message: "Inspiration deleted successfully" });
  })
  .openapi(routes.approveInspiration, async (c) => {
    const row = await inspirations.approveInspiration(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").inspiration_id,
      c.req.valid("json") ?? {},
    );
    return ok(c, inspirationOut(row));
  })
  .openapi(routes.rejectInspiration, async (c) => {
    const row = await inspirations.rejectInspiration(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").inspiration_id,
      c.req.valid("json") ?? {},
    );
    return ok(c, inspirationOut(row));
  })
  .openapi(routes.regenerateInspiration, async (c) => {
    const row = await inspirations.regenerateInspiration(
      contextOf(c),
      principalOf(c).userId,
      c.req.valid("param").inspiration_id,
      c.req.valid("json") ?? {},
    );
    return ok(c, inspirationOut(row));
  });
