interface RouteLike {
  path: string;
  method: string;
}

/**
 * Knows which methods each path pattern serves, so a wrong method answers 405 with `Allow`
 * instead of a misleading 404.
 */
export class AllowedMethods {
  private readonly patterns: { regex: RegExp; methods: Set<string> }[] = [];

  constructor(routes: readonly RouteLike[]) {
    const byPath = new Map<string, Set<string>>();
    for (const r of routes) {
      if (r.method === "ALL" || r.path.includes("*")) continue;
      const set = byPath.get(r.path) ?? new Set<string>();
      set.add(r.method);
      byPath.set(r.path, set);
    }
    for (const [path, methods] of byPath) {
      const source = path
        .split("/")
        .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
        .join("/");
      this.patterns.push({ regex: new RegExp(`^${source}$`), methods });
    }
  }

  /** Methods served at `path`, or an empty list when no route has that path. */
  allowed(path: string): string[] {
    const out = new Set<string>();
    for (const p of this.patterns) if (p.regex.test(path)) for (const m of p.methods) out.add(m);
    if (out.has("GET")) out.add("HEAD");
    return [...out].sort();
  }
}
