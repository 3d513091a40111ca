import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity } from "../../platform/openapi-responses";
import { operator, workerOnly, workerOrOperator } from "../access";
import { errors, IdParam, jsonBody, MessageData, okResponse } from "../common";
import {
  AccountSchema,
  CreateAccountSchema,
  LeaseSchema,
  ListAccountsQuery,
  PlatformParams,
  ResetUsageSchema,
  UpdateAccountSchema,
} from "./schemas";

const tags = ["Platform accounts"];
const security = bearerSecurity;
const Params = z.object({ account_id: IdParam("account_id") });
const one = okResponse(AccountSchema, "PlatformAccountEnvelope", "The account (credentials masked)");
const many = okResponse(
  z.array(AccountSchema),
  "PlatformAccountListEnvelope",
  "Accounts (credentials masked)",
);

export const createAccount = createRoute({
  method: "post",
  path: "/api/platform-accounts",
  tags,
  security,
  middleware: operator,
  summary: "Add a third-party platform account (credentials encrypted at rest)",
  request: { body: jsonBody(CreateAccountSchema) },
  responses: { 200: one, ...errors(400, 401, 403, 429) },
});

export const listAccounts = createRoute({
  method: "get",
  path: "/api/platform-accounts",
  tags,
  security,
  middleware: operator,
  summary: "List accounts with today's usage (skip, limit, platform, status)",
  request: { query: ListAccountsQuery },
  responses: { 200: many, ...errors(400, 401, 403, 429) },
});

export const availableAccounts = createRoute({
  method: "get",
  path: "/api/platform-accounts/available/{platform}",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "Active accounts of a platform that still have quota today",
  request: { params: PlatformParams },
  responses: { 200: many, ...errors(401, 403, 404, 429) },
});

export const platformsList = createRoute({
  method: "get",
  path: "/api/platform-accounts/platforms/list",
  tags,
  security,
  middleware: workerOrOperator,
  summary: "The supported platforms",
  responses: {
    200: okResponse(z.array(z.string()), "PlatformListEnvelope", "Platforms"),
    ...errors(401, 403, 429),
  },
});

export const getAccount = createRoute({
  method: "get",
  path: "/api/platform-accounts/{account_id}",
  tags,
  security,
  middleware: operator,
  summary: "One account with today's usage",
  request: { params: Params },
  responses: { 200: one, ...errors(401, 403, 404, 429) },
});

export const updateAccount = createRoute({
  method: "put",
  path: "/api/platform-accounts/{account_id}",
  tags,
  security,
  middleware: operator,
  summary: "Update an account (new credentials are re-encrypted)",
  request: { params: Params, body: jsonBody(UpdateAccountSchema) },
  responses: { 200: one, ...errors(400, 401, 403, 404, 429) },
});

export const deleteAccount = createRoute({
  method: "delete",
  path: "/api/platform-accounts/{account_id}",
  tags,
  security,
  middleware: operator,
  summary: "Delete an account (its credentials are wiped)",
  request: { params: Params },
  responses: { 200: okResponse(MessageData, "MessageEnvelope", "Deleted"), ...errors(401, 403, 404, 429) },
});

export const resetUsage = createRoute({
  method: "post",
  path: "/api/platform-accounts/{account_id}/reset-usage",
  tags,
  security,
  middleware: operator,
  summary: "Set today's usage (default 0)",
  request: { params: Params, body: jsonBody(ResetUsageSchema, false) },
  responses: { 200: one, ...errors(400, 401, 403, 404, 429) },
});

export const leaseAccount = createRoute({
  method: "post",
  path: "/api/platform-accounts/{account_id}/lease",
  tags,
  security,
  middleware: workerOnly,
  summary: "Consume one unit of today's quota and receive the decrypted credentials (scope worker)",
  request: { params: Params },
  responses: {
    200: okResponse(LeaseSchema, "PlatformAccountLeaseEnvelope", "The lease"),
    ...errors(400, 401, 403, 404, 429),
  },
});
