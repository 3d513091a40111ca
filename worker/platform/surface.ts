/**
 * Which API surface a path belongs to decides the error format. The automation API keeps its
 * documented paths (`/projects`, `/api/tasks`, ...); the studio API lives under `/api/v1`; everything
 * else (health, files, internal, ws) answers in the studio format.
 */
export type Surface = "studio" | "automation";

export function surfaceOf(path: string): Surface {
  if (path === "/api/v1" || path.startsWith("/api/v1/")) return "studio";
  if (path === "/api/openapi.json" || path === "/api/docs") return "studio";
  if (path === "/projects" || path.startsWith("/projects/") || path.startsWith("/api/")) return "automation";
  return "studio";
}
