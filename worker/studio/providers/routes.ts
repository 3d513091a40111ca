import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { studioErrorResponses } from "../errors";
import { studioUser } from "../middleware/auth";
import { ProviderListSchema } from "./schemas";

export const listProviders = createRoute({
  method: "get",
  path: "/api/v1/providers",
  tags: ["Providers"],
  security: bearerSecurity,
  middleware: studioUser,
  summary: "AI platforms: kinds, models, prices and whether this deployment reaches them",
  description:
    "The platforms of platform accounts (POST /api/platform-accounts) and workflow options.image / options.llm. " +
    "Midjourney has no public API and stays an external-worker platform.",
  responses: {
    200: jsonResponse(ProviderListSchema, "The providers"),
    ...studioErrorResponses(401, 403, 429),
  },
});
