import { OpenAPIHono } from "@hono/zod-openapi";
import { Scalar } from "@scalar/hono-api-reference";
import { cors } from "hono/cors";
import { getPath } from "hono/utils/url";
import { assetsRouter } from "../automation/assets/handlers";
import { renderAutomationError } from "../automation/envelope";
import { inspirationsRouter } from "../automation/inspirations/handlers";
import { platformAccountsRouter } from "../automation/platform-accounts/handlers";
import { pipelineProjectsRouter } from "../automation/projects/handlers";
import { tasksRouter } from "../automation/tasks/handlers";
import { webhooksRouter } from "../automation/webhooks/handlers";
import { workerConfigsRouter } from "../automation/worker-configs/handlers";
import { readConfig } from "../platform/config";
import { AppError } from "../platform/errors";
import type { AppEnv } from "../platform/http/app-env";
import { apiBodyLimit } from "../platform/http/body-limit";
import { AllowedMethods } from "../platform/http/method-not-allowed";
import { validationHook } from "../platform/http/validation";
import { surfaceOf } from "../platform/surface";
import { logIfServerError, toAppError } from "../platform/to-app-error";
import { adminRouter } from "../studio/admin/handlers";
import { authRouter } from "../studio/auth/handlers";
import { billingRouter } from "../studio/billing/handlers";
import { charactersRouter } from "../studio/characters/handlers";
import { renderStudioError } from "../studio/errors";
import { exportsRouter } from "../studio/exports/handlers";
import { projectsRouter } from "../studio/projects/handlers";
import { providersRouter } from "../studio/providers/handlers";
import { storyboardsRouter } from "../studio/storyboards/handlers";
import { workflowsRouter } from "../studio/workflows/handlers";
import { filesRouter } from "./files";
import { healthRouter, VERSION } from "./health";
import { internalRendersRouter } from "./internal-renders";
import { internalUploadsRouter } from "./internal-uploads";
import { registerExtraPaths } from "./openapi-extra";
import { progressSocketRouter } from "./progress-socket";
import { registerStripeWebhookPath, stripeWebhookRouter } from "./stripe-webhook";

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** Trailing slashes are accepted on every path: `/api/v1/projects/` is `/api/v1/projects`. */
function pathWithoutTrailingSlash(request: Request): string {
  const path = getPath(request);
  return path.length > 1 && path.endsWith("/") ? path.replace(/\/+$/, "") || "/" : path;
}

export function buildApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook, getPath: pathWithoutTrailingSlash });

  app.use("*", async function requestContext(c, next) {
    const incoming = c.req.header("X-Request-Id");
    c.set("requestId", incoming && REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID());
    c.set("principal", undefined);
    await next();
    c.header("X-Request-Id", c.get("requestId"));
    c.header("X-Content-Type-Options", "nosniff");
  });

  app.use(
    "*",
    cors({
      origin: (origin, c) => {
        const allowed = readConfig(c.env).corsOrigins;
        if (allowed === "*") return "*";
        return allowed.includes(origin) ? origin : null;
      },
      allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id"],
      exposeHeaders: [
        "RateLimit-Limit",
        "RateLimit-Remaining",
        "RateLimit-Reset",
        "RateLimit-Policy",
        "Retry-After",
        "X-Request-Id",
      ],
      maxAge: 600,
      credentials: false,
    }),
  );

  app.use("*", apiBodyLimit);

  app.route("/", healthRouter);
  app.route("/", filesRouter);
  app.route("/", internalUploadsRouter);
  app.route("/", internalRendersRouter);
  app.route("/", authRouter);
  app.route("/", projectsRouter);
  app.route("/", charactersRouter);
  app.route("/", storyboardsRouter);
  app.route("/", workflowsRouter);
  app.route("/", providersRouter);
  app.route("/", exportsRouter);
  app.route("/", billingRouter);
  app.route("/", stripeWebhookRouter);
  app.route("/", adminRouter);
  app.route("/", progressSocketRouter);

  app.route("/", pipelineProjectsRouter);
  app.route("/", tasksRouter);
  app.route("/", assetsRouter);
  app.route("/", inspirationsRouter);
  app.route("/", platformAccountsRouter);
  app.route("/", workerConfigsRouter);
  app.route("/", webhooksRouter);

  registerExtraPaths(app);
  registerStripeWebhookPath(app);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "An access token from /api/v1/auth/login, or an API key (`sds_...`) from /api/v1/auth/api-keys.",
  });
  app.doc31("/api/openapi.json", (c) => ({
    openapi: "3.1.0",
    info: {
      title: "Short Drama Studio API",
      version: VERSION,
      description:
        "Two surfaces over one core: the studio API (`/api/v1`, errors `{detail, error_code, timestamp}`) and " +
        "the automation API (`/projects`, `/api/tasks`, `/api/assets`, ..., envelope `{code, msg, data}`).",
    },
    servers: [{ url: new URL(c.req.url).origin }],
  }));
  app.get("/api/docs", Scalar({ url: "/api/openapi.json", pageTitle: "Short Drama Studio API" }));

  const allowed = new AllowedMethods(app.routes);

  app.notFound((c) => {
    const path = pathWithoutTrailingSlash(c.req.raw);
    const methods = allowed.allowed(path);
    const err =
      methods.length > 0
        ? new AppError("METHOD_NOT_ALLOWED", `Method ${c.req.method} not allowed`, {
            headers: { Allow: methods.join(", ") },
          })
        : new AppError("NOT_FOUND", "Not found");
    return surfaceOf(path) === "automation" ? renderAutomationError(c, err) : renderStudioError(c, err);
  });

  app.onError((thrown, c) => {
    const err = toAppError(thrown);
    const path = pathWithoutTrailingSlash(c.req.raw);
    logIfServerError(err, c.get("requestId") ?? "-", path);
    return surfaceOf(path) === "automation" ? renderAutomationError(c, err) : renderStudioError(c, err);
  });

  return app;
}
