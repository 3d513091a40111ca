import { requireAuth } from "../../platform/http/auth-middleware";

/** The middleware chain of every authenticated studio route: the `studio` scope, per-user hourly limit. */
export const studioUser = requireAuth(["studio"], "studioUser");

/** The same for streams a browser opens without headers (SSE): the token may come as `?token=`. */
export const studioStreamUser = requireAuth(["studio"], "studioUser", { queryToken: true });

/** Operator routes: the `admin` scope (a logged-in user listed in ADMIN_EMAILS). */
export const adminUser = requireAuth(["admin"], "studioUser");
