import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, jsonResponse } from "../../platform/openapi-responses";
import { studioErrorResponses } from "../errors";
import { studioUser } from "../middleware/auth";
import {
  ApiKeyIdParamSchema,
  ApiKeyListSchema,
  CreateApiKeyBodySchema,
  CreatedApiKeySchema,
  LoginFormSchema,
  LoginJsonSchema,
  MeSchema,
  MessageSchema,
  RefreshBodySchema,
  RegisterBodySchema,
  TokenPairSchema,
  UserSchema,
} from "./schemas";

const tags = ["Auth"];

export const register = createRoute({
  method: "post",
  path: "/api/v1/auth/register",
  tags,
  summary: "Create an account (gets the free subscription)",
  request: { body: { required: true, content: { "application/json": { schema: RegisterBodySchema } } } },
  responses: { 200: jsonResponse(UserSchema, "The new user"), ...studioErrorResponses(400, 415, 422, 429) },
});

export const login = createRoute({
  method: "post",
  path: "/api/v1/auth/login",
  tags,
  summary: "Log in with email and password (OAuth2 form or JSON)",
  description:
    "Accepts the OAuth2 password form (`username` holds the email) or JSON `{email, password}`. " +
    "Limited per client address and per account; unknown emails and wrong passwords answer alike.",
  request: {
    body: {
      content: {
        "application/x-www-form-urlencoded": { schema: LoginFormSchema },
        "application/json": { schema: LoginJsonSchema },
      },
    },
  },
  responses: {
    200: jsonResponse(TokenPairSchema, "Tokens"),
    ...studioErrorResponses(400, 401, 415, 422, 429),
  },
});

export const refresh = createRoute({
  method: "post",
  path: "/api/v1/auth/refresh",
  tags,
  summary: "Exchange a refresh token for a new pair (rotation; reuse revokes the session)",
  request: { body: { required: true, content: { "application/json": { schema: RefreshBodySchema } } } },
  responses: { 200: jsonResponse(TokenPairSchema, "New tokens"), ...studioErrorResponses(401, 415, 422) },
});

export const logout = createRoute({
  method: "post",
  path: "/api/v1/auth/logout",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "End this login session: its refresh and access tokens stop working at once",
  responses: { 200: jsonResponse(MessageSchema, "Logged out"), ...studioErrorResponses(400, 401, 429) },
});

export const me = createRoute({
  method: "get",
  path: "/api/v1/auth/me",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "The current user, with tier and remaining quota",
  responses: { 200: jsonResponse(MeSchema, "Current user"), ...studioErrorResponses(401, 403, 429) },
});

export const createApiKey = createRoute({
  method: "post",
  path: "/api/v1/auth/api-keys",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Create an API key (the key is shown once)",
  description: "Only a logged-in user (JWT) can manage keys, so a key can never mint a broader one.",
  request: { body: { required: true, content: { "application/json": { schema: CreateApiKeyBodySchema } } } },
  responses: {
    200: jsonResponse(CreatedApiKeySchema, "The new key"),
    ...studioErrorResponses(401, 403, 415, 422, 429),
  },
});

export const listApiKeys = createRoute({
  method: "get",
  path: "/api/v1/auth/api-keys",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "List active API keys (never the secret)",
  responses: { 200: jsonResponse(ApiKeyListSchema, "Keys"), ...studioErrorResponses(401, 403, 429) },
});

export const revokeApiKey = createRoute({
  method: "delete",
  path: "/api/v1/auth/api-keys/{key_id}",
  tags,
  security: bearerSecurity,
  middleware: studioUser,
  summary: "Revoke an API key",
  request: { params: ApiKeyIdParamSchema },
  responses: { 200: jsonResponse(MessageSchema, "Revoked"), ...studioErrorResponses(401, 403, 404, 429) },
});
