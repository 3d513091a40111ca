// Part of `npm run lint`: the rules Biome, dependency-cruiser and knip cannot state.
// - No non-generated, non-test source file is over 400 lines (split it by what it does).
// - Outside worker/db no code builds or runs SQL: no `sql` template, no drizzle query builder on a
//   database, no raw D1 `prepare` (dependency-cruiser already keeps drizzle-orm's import inside
//   worker/db; this catches query builders reached through a db handle and raw D1).
// Files another change in progress still has to fix are listed in KNOWN; the list only shrinks,
// and a listed file that is fixed makes this fail until it is taken off.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { root } from "./wrangler.mjs";

const MAX_LINES = 400;
const SOURCE = /\.(ts|mts|mjs|js|cjs|py)$/;
const TESTS = /(^|\/)(test|tests|e2e)\/|\.test\.ts$|(^|\/)test_[^/]+\.py$|(^|\/)conftest\.py$/;
const GENERATED = new Set([
  "worker/worker-configuration.d.ts",
  "sdk/src/schema.d.ts",
  "sdk/python/short_drama_sdk/models.py",
]);
/** SQL is written only in worker/db; the bench Worker's raw D1 baseline is the binding itself. */
const SQL_SCOPE = /^(worker|durable-objects)\//;
const SQL_HOME = /^worker\/db\//;
const SQL_PATTERNS = [
  { name: "a sql`` template", re: /\bsql`/ },
  { name: "a query builder on a database", re: /\bdb\.(select|insert|update|delete|run|all|get)\(/ },
  { name: "raw D1 prepare()", re: /\.prepare\(/ },
];

/** Known violations of a change under way, by rule (none today). */
const KNOWN = { lines: [], sql: [] };

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], {
  cwd: root,
  encoding: "utf8",
})
  .split("\n")
  .filter((f) => SOURCE.test(f) && !f.includes("node_modules/"));

const problems = [];
const seen = { lines: new Set(), sql: new Set() };
for (const file of files) {
  let text;
  try {
    text = readFileSync(`${root}${file}`, "utf8");
  } catch {
    continue; // deleted in the work tree, not yet in the index
  }
  if (!TESTS.test(file) && !GENERATED.has(file)) {
    const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    if (lines > MAX_LINES) {
      seen.lines.add(file);
      if (!KNOWN.lines.includes(file)) problems.push(`${file}: ${lines} lines (at most ${MAX_LINES})`);
    }
  }
  if (SQL_SCOPE.test(file) && !SQL_HOME.test(file)) {
    const hits = SQL_PATTERNS.filter((p) => p.re.test(text)).map((p) => p.name);
    if (hits.length > 0) {
      seen.sql.add(file);
      if (!KNOWN.sql.includes(file))
        problems.push(`${file}: ${hits.join(", ")} outside worker/db (name the query in worker/db/queries)`);
    }
  }
}
for (const [rule, list] of Object.entries(KNOWN)) {
  for (const file of list) {
    if (!seen[rule].has(file))
      problems.push(`${file}: fixed — take it off KNOWN.${rule} in scripts/check-sources.mjs`);
  }
}
if (problems.length > 0) {
  console.error(`✗ source rules:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(
  `✓ source rules: ${files.length} files, none over ${MAX_LINES} lines, no SQL outside worker/db (known: ${KNOWN.lines.length + KNOWN.sql.length})`,
);
