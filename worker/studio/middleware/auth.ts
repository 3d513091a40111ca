import { requireAuth } from "../../http/auth-middleware";

/** The middleware chain of every authenticated studio route: the `studio` scope, per-user hourly limit. */
export const studioUser = requireAuth(["studio"], "studioUser");
