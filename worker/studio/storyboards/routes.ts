import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { MessageSchema } from "../auth/schemas";
import { studioErrorResponses } from "../errors";
import { studioUser } from "../middleware/auth";
import {
  CreateStoryboardBodySchema,
  GenerateBodySchema,
  GenerationResultSchema,
  ImageOverrideBodySchema,
  ListStoryboardsQuerySchema,
  ReorderBodySchema,
  StoryboardIdParamSchema,
  StoryboardListSchema,
  StoryboardSchema,
  TakeListSchema,
  TakeParamSchema,
  UpdateStoryboardBodySchema,
} from "./schemas";

const tags = ["Storyboards"];
const json = <S>(schema: S) => ({ required: true, content: { "application/json": { schema } } });

export const createStoryboard = createRoute({
  method: "post",
  path: "/api/v1/storyboards",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Create a storyboard (one scene)",
  request: { body: json(CreateStoryboardBodySchema) },
  responses: {
    200: jsonResponse(StoryboardSchema, "The new storyboard"),
    ...studioErrorResponses(401, 403, 404, 409, 415, 422, 429),
  },
});

export const listStoryboards = createRoute({
  method: "get",
  path: "/api/v1/storyboards",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "A project's storyboards in scene order",
  request: { query: ListStoryboardsQuerySchema },
  responses: {
    200: jsonResponse(StoryboardListSchema, "Storyboards"),
    ...studioErrorResponses(401, 403, 404, 422, 429),
  },
});

export const reorderStoryboards = createRoute({
  method: "post",
  path: "/api/v1/storyboards/reorder",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Reorder a project's storyboards (scenes renumbered 1..n)",
  request: { body: json(ReorderBodySchema) },
  responses: {
    200: jsonResponse(StoryboardListSchema, "The storyboards in their new order"),
    ...studioErrorResponses(401, 403, 404, 409, 415, 422, 429),
  },
});

export const getStoryboard = createRoute({
  method: "get",
  path: "/api/v1/storyboards/{storyboard_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "A storyboard",
  request: { params: StoryboardIdParamSchema },
  responses: {
    200: jsonResponse(StoryboardSchema, "The storyboard"),
    ...studioErrorResponses(401, 403, 404, 429),
  },
});

export const updateStoryboard = createRoute({
  method: "put",
  path: "/api/v1/storyboards/{storyboard_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Update a storyboard",
  request: { params: StoryboardIdParamSchema, body: json(UpdateStoryboardBodySchema) },
  responses: {
    200: jsonResponse(StoryboardSchema, "The storyboard"),
    ...studioErrorResponses(401, 403, 404, 409, 415, 422, 429),
  },
});

export const deleteStoryboard = createRoute({
  method: "delete",
  path: "/api/v1/storyboards/{storyboard_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Delete a storyboard (its scene number becomes free)",
  request: { params: StoryboardIdParamSchema },
  responses: { 200: jsonResponse(MessageSchema, "Deleted"), ...studioErrorResponses(401, 403, 404, 429) },
});

export const generateStoryboard = createRoute({
  method: "post",
  path: "/api/v1/storyboards/{storyboard_id}/generate",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Generate the storyboard's image with the built-in generator",
  description:
    "Draws a card in one of five styles (scene text in a CJK font, the characters' reference images) with the renderer, " +
    "answers when it is stored, with the consistency score of the image against the storyboard's characters.",
  request: {
    params: StoryboardIdParamSchema,
    body: { required: false, content: { "application/json": { schema: GenerateBodySchema } } },
  },
  responses: {
    200: jsonResponse(GenerationResultSchema, "The generated image"),
    ...studioErrorResponses(401, 403, 404, 409, 415, 422, 429, 503),
  },
});

export const overrideImage = createRoute({
  method: "put",
  path: "/api/v1/storyboards/{storyboard_id}/image",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Use your own image for a storyboard (human override)",
  request: {
    params: StoryboardIdParamSchema,
    body: { required: true, content: { "multipart/form-data": { schema: ImageOverrideBodySchema } } },
  },
  responses: {
    200: jsonResponse(StoryboardSchema, "The storyboard with its new image"),
    ...studioErrorResponses(401, 403, 404, 413, 415, 422, 429),
  },
});

export const listTakes = createRoute({
  method: "get",
  path: "/api/v1/storyboards/{storyboard_id}/takes",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "The candidates drawn for a storyboard (workflow option image.takes)",
  request: { params: StoryboardIdParamSchema },
  responses: {
    200: jsonResponse(TakeListSchema, "The takes, oldest first; selected is the storyboard's image"),
    ...studioErrorResponses(401, 403, 404, 429),
  },
});

export const selectTake = createRoute({
  method: "post",
  path: "/api/v1/storyboards/{storyboard_id}/takes/{take_id}/select",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Make a take the storyboard's image (a human choice: workflows leave it alone)",
  request: { params: TakeParamSchema },
  responses: {
    200: jsonResponse(TakeListSchema, "The takes with the new selection"),
    ...studioErrorResponses(401, 403, 404, 429),
  },
});
