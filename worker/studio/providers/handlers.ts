import { providerCatalog } from "../../core/generation/catalog";
import { contextOf } from "../../platform/http/context";
import { createRouter } from "../../platform/http/create-router";
import * as routes from "./routes";

export const providersRouter = createRouter().openapi(routes.listProviders, (c) =>
  c.json(providerCatalog(contextOf(c)), 200),
);
