// The layering of the Worker, checked by `npm run lint` (docs/architecture.md draws it):
//
//   worker/index.ts, worker/entries/   composition: fetch app, queue, cron, internal callbacks, files, ws
//   worker/studio/, worker/automation/, worker/jobs/   surfaces: HTTP routes and queue consumers
//   worker/platform/http/              router factory, validation hook, auth middleware, body limits
//   worker/core/                       every decision
//   worker/db/, worker/providers/      the database (the only code that writes SQL) and AI vendors
//   worker/platform/                   pure utilities: nothing of worker/ above it
//   contracts/                         what the Worker shares with the renderer
//   durable-objects/                   hosts: their own folder, their one core entry, contracts, platform
//
// An import may go down any number of layers, never up, never in a circle. Known violations of a
// colleague's part that is not merged yet are listed in .dependency-cruiser-known-violations.json
// (`--ignore-known`); that list only shrinks.

const platformPure = "^worker/platform/(?!http/)";
const surfaces = "^worker/(studio|automation|jobs)/";
const entries = "^worker/(entries/|index\\.ts$)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "An import circle makes two modules one; split out what both need.",
      from: {},
      to: { circular: true },
    },
    {
      name: "platform-imports-nothing-of-worker",
      severity: "error",
      comment:
        "worker/platform/ holds pure utilities under everything: it imports no other part of the Worker.",
      from: { path: platformPure },
      to: {
        pathNot: [platformPure, "^contracts/", "^node_modules/", "^cloudflare:"],
        dependencyTypesNot: ["core"],
      },
    },
    {
      name: "only-db-imports-drizzle",
      severity: "error",
      comment: "Only worker/db writes SQL: every rule that touches rows is one named query there.",
      from: { pathNot: ["^worker/db/", "^drizzle\\.config\\.ts$", "^test/"] },
      to: { path: "^node_modules/drizzle-orm/" },
    },
    {
      name: "db-below-core",
      severity: "error",
      comment: "Queries take ids and values; they never call the core, providers or a surface.",
      from: { path: "^worker/db/" },
      to: { path: "^worker/(?!db/|platform/(?!http/))" },
    },
    {
      name: "providers-stand-alone",
      severity: "error",
      comment:
        "The AI vendor layer knows nothing of our core or database: the core calls it, not the other way.",
      from: { path: "^worker/providers/" },
      to: { path: "^worker/(?!providers/|platform/(?!http/))" },
    },
    {
      name: "core-below-surfaces",
      severity: "error",
      comment: "The core decides for every surface and host, so it imports none of them.",
      from: { path: "^worker/core/" },
      to: { path: [surfaces, entries, "^worker/platform/http/"] },
    },
    {
      name: "core-reaches-objects-through-interfaces",
      severity: "error",
      comment:
        "The core reaches a Durable Object through its client or interface (the counters) or contracts/, never its class.",
      from: { path: "^worker/core/" },
      to: {
        path: "^durable-objects/",
        pathNot: "^durable-objects/(rate-limiter|account-quota)/(client|interface|day|permits)\\.ts$",
      },
    },
    {
      name: "http-layer-below-surfaces",
      severity: "error",
      comment: "platform/http/ is shared by the surfaces; it imports none of them and no entry.",
      from: { path: "^worker/platform/http/" },
      to: { path: [surfaces, entries] },
    },
    {
      name: "surfaces-are-thin",
      severity: "error",
      comment:
        "A surface calls the core: it may read the schema's constants and types, never run a query itself.",
      from: { path: surfaces },
      to: { path: "^worker/db/(?!schema/)", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "surfaces-independent",
      severity: "error",
      comment: "The two API surfaces and the queue consumers share only what lies below them.",
      from: { path: "^worker/(studio)/" },
      to: { path: "^worker/(automation|jobs|entries)/" },
    },
    {
      name: "automation-independent",
      severity: "error",
      from: { path: "^worker/(automation)/" },
      to: { path: "^worker/(studio|jobs|entries)/" },
    },
    {
      name: "jobs-independent",
      severity: "error",
      from: { path: "^worker/(jobs)/" },
      to: { path: "^worker/(studio|automation|entries)/" },
    },
    {
      name: "objects-are-hosts",
      severity: "error",
      comment:
        "A Durable Object holds the lock, storage, alarms and sockets and calls one core entry: its own folder, contracts/ and platform/ besides.",
      from: { path: "^durable-objects/([^/]+)/" },
      to: {
        path: "^(worker|durable-objects)/",
        pathNot: ["^durable-objects/$1/", platformPure, "^worker/core/workflows/run/index\\.ts$"],
      },
    },
    {
      name: "contracts-stand-alone",
      severity: "error",
      comment: "contracts/ is shared with the renderer (Node): it imports nothing of the Worker.",
      from: { path: "^contracts/" },
      to: { path: "^(worker|durable-objects|renderer)/" },
    },
    {
      name: "nothing-deployed-imports-tools",
      severity: "error",
      comment: "Benchmarks, the local stack, scripts and tests are never part of the deployed bundle.",
      from: { path: "^(worker|durable-objects|contracts)/" },
      to: { path: "^(bench|tools|scripts|test|e2e)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)worker-configuration\\.d\\.ts$" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types", "workerd", "worker"],
      mainFields: ["module", "main", "types", "typings"],
    },
    cache: { folder: "node_modules/.cache/dependency-cruiser", strategy: "content" },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
