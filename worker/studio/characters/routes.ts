import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { MessageSchema } from "../auth/schemas";
import { studioErrorResponses } from "../errors";
import { studioUser } from "../middleware/auth";
import {
  CharacterIdParamSchema,
  CharacterListSchema,
  CharacterSchema,
  ConsistencyModelSchema,
  CreateCharacterBodySchema,
  ListCharactersQuerySchema,
  ReplaceImageBodySchema,
  UpdateCharacterBodySchema,
} from "./schemas";

const tags = ["Characters"];
const multipart = <S>(schema: S) => ({ required: true, content: { "multipart/form-data": { schema } } });

export const createCharacter = createRoute({
  method: "post",
  path: "/api/v1/characters",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Upload a character image",
  description:
    "Multipart form with `name`, `project_id` and `image`. The type is read from the file's bytes (PNG, JPEG or WebP), " +
    "never from its name; the appearance signature is computed from the decoded pixels.",
  request: { body: multipart(CreateCharacterBodySchema) },
  responses: {
    200: jsonResponse(CharacterSchema, "The new character"),
    ...studioErrorResponses(401, 403, 404, 413, 415, 422, 429),
  },
});

export const listCharacters = createRoute({
  method: "get",
  path: "/api/v1/characters",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "List your characters, optionally of one project",
  request: { query: ListCharactersQuerySchema },
  responses: {
    200: jsonResponse(CharacterListSchema, "Characters"),
    ...studioErrorResponses(401, 403, 422, 429),
  },
});

export const getCharacter = createRoute({
  method: "get",
  path: "/api/v1/characters/{character_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "A character",
  request: { params: CharacterIdParamSchema },
  responses: {
    200: jsonResponse(CharacterSchema, "The character"),
    ...studioErrorResponses(401, 403, 404, 429),
  },
});

export const updateCharacter = createRoute({
  method: "put",
  path: "/api/v1/characters/{character_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Rename a character or change its description",
  request: {
    params: CharacterIdParamSchema,
    body: { required: true, content: { "application/json": { schema: UpdateCharacterBodySchema } } },
  },
  responses: {
    200: jsonResponse(CharacterSchema, "The character"),
    ...studioErrorResponses(401, 403, 404, 415, 422, 429),
  },
});

export const replaceCharacterImage = createRoute({
  method: "put",
  path: "/api/v1/characters/{character_id}/image",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Replace a character's reference image (the consistency model is recomputed)",
  request: { params: CharacterIdParamSchema, body: multipart(ReplaceImageBodySchema) },
  responses: {
    200: jsonResponse(CharacterSchema, "The character"),
    ...studioErrorResponses(401, 403, 404, 413, 415, 422, 429),
  },
});

export const deleteCharacter = createRoute({
  method: "delete",
  path: "/api/v1/characters/{character_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Delete a character (it is removed from its storyboards)",
  request: { params: CharacterIdParamSchema },
  responses: { 200: jsonResponse(MessageSchema, "Deleted"), ...studioErrorResponses(401, 403, 404, 429) },
});

export const buildConsistencyModel = createRoute({
  method: "post",
  path: "/api/v1/characters/{character_id}/consistency-model",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Rebuild the character's consistency model from its stored image",
  description:
    "The model is an appearance signature (perceptual hash and colour histogram). It measures how alike images look, not who is in them.",
  request: { params: CharacterIdParamSchema },
  responses: {
    200: jsonResponse(ConsistencyModelSchema, "The rebuilt model"),
    ...studioErrorResponses(400, 401, 403, 404, 429),
  },
});
