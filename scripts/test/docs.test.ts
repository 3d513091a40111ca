import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const docsDir = join(root, "docs");
const docs = readdirSync(docsDir)
  .filter((f) => f.endsWith(".md"))
  .map((f) => join(docsDir, f));
const pages = [join(root, "README.md"), ...docs];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1] ?? "")));
}

/** Every relative target a page links to or embeds: [text](target) and <img src="target">. */
function links(file: string): string[] {
  const text = readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
  const md = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? "");
  const html = [...text.matchAll(/<img[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1] ?? "");
  return [...md, ...html].filter((t) => !/^[a-z]+:/i.test(t));
}

describe("the README", () => {
  it("stays a newcomer's page: at most 200 lines", () => {
    const lines = readFileSync(join(root, "README.md"), "utf8").trimEnd().split("\n").length;
    expect(lines).toBeLessThanOrEqual(200);
  });

  it("shows a small picture of what the product makes", () => {
    const picture = join(root, "docs", "demo-contact-sheet.jpg");
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain('src="docs/demo-contact-sheet.jpg"');
    expect(statSync(picture).size).toBeLessThan(100 * 1024);
  });
});

describe("README.md and docs/", () => {
  it("have no dead relative link or anchor", () => {
    const dead: string[] = [];
    for (const page of pages) {
      for (const target of links(page)) {
        const [path = "", anchor] = target.split("#");
        const file = path ? resolve(dirname(page), decodeURI(path)) : page;
        const where = `${relative(root, page)} → ${target}`;
        if (!existsSync(file)) dead.push(`${where} (no such file)`);
        else if (anchor && file.endsWith(".md") && !anchors(file).has(anchor))
          dead.push(`${where} (no such heading)`);
      }
    }
    expect(dead).toEqual([]);
  });

  it("list every document in docs/README.md, which the README links", () => {
    const index = links(join(docsDir, "README.md"));
    const unlisted = docs
      .map((d) => relative(docsDir, d))
      .filter((d) => d !== "README.md" && !index.includes(d));
    expect(unlisted).toEqual([]);
    expect(links(join(root, "README.md"))).toContain("docs/README.md");
  });

  it("stand alone: they cite no document outside the repository", () => {
    const outside = /\bDESIGN\b|\bRELIABILITY\b|\bseeds?\b|§|this machine/;
    const cites = pages.flatMap((page) =>
      readFileSync(page, "utf8")
        .split("\n")
        .map((line, i) => ({ line, at: `${relative(root, page)}:${i + 1}` }))
        .filter(({ line }) => outside.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(cites).toEqual([]);
  });
});
