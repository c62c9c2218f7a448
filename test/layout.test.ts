/**
 * The layout is the architecture (docs/ARCHITECTURE.md): lower layers never import higher
 * ones, formats do not import jobs, and jobs do not borrow from each other except where one
 * job is about another (verify checks an export, manifests split export and downres).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/data.js";

const ts = join(repoRoot, "ts");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** `[importer, imported]` pairs of every relative import inside ts/, as paths under ts/. */
function imports(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const file of sources(ts)) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)) {
      out.push([relative(ts, file), relative(ts, resolve(dirname(file), m[1]!))]);
    }
  }
  return out;
}

const top = (path: string) => path.split("/")[0]!;
const under = (path: string, dir: string) => path.startsWith(`${dir}/`);

/** What each layer may not import (top-level folders or files under ts/). */
const FORBIDDEN: Record<string, string[]> = {
  backend: ["core", "volume", "storage", "formats", "pipeline", "jobs", "view", "cli", "entry", "api.js", "index.js"],
  core: ["storage", "formats", "pipeline", "jobs", "view", "cli", "entry", "api.js", "index.js"],
  volume: ["core", "storage", "formats", "pipeline", "jobs", "view", "cli", "entry", "api.js", "index.js"],
  storage: ["core", "volume", "formats", "pipeline", "jobs", "view", "cli", "entry", "api.js", "index.js"],
  pipeline: ["formats", "jobs", "view", "cli", "entry", "api.js", "index.js"],
  formats: ["pipeline", "jobs", "view", "cli", "entry", "api.js", "index.js"],
  jobs: ["view", "cli", "entry", "api.js", "index.js"],
};

describe("layout", () => {
  const pairs = imports();

  it("finds the imports it checks", () => {
    expect(pairs.length).toBeGreaterThan(300);
  });

  it("lower layers never import higher ones", () => {
    const bad = pairs.filter(([from, to]) => {
      const forbidden = FORBIDDEN[top(from)] ?? [];
      return forbidden.some((f) => (f.endsWith(".js") ? to === f : top(to) === f));
    });
    expect(bad.map(([a, b]) => `${a} → ${b}`)).toEqual([]);
  });

  it("formats import no other format, except through the format-neutral layer", () => {
    // dvid export maps onto precomputed grids only in jobs; a reader of one format never needs another.
    const bad = pairs.filter(
      ([from, to]) => under(from, "formats") && under(to, "formats") && from.split("/")[1] !== to.split("/")[1] && !to.startsWith("formats/open-") && !from.startsWith("formats/open-") && !from.startsWith("formats/discover"),
    );
    expect(bad.map(([a, b]) => `${a} → ${b}`)).toEqual([]);
  });

  it("jobs borrow from each other only where one job is about another", () => {
    const allowed = new Set(["verify→export", "manifests→export", "manifests→downres"]);
    // jobs/*.ts (the thread entry, the task runner) serve every job.
    const job = (path: string) => (path.split("/").length > 2 ? path.split("/")[1]! : undefined);
    const bad = pairs.filter(([from, to]) => {
      const [a, b] = [job(from), job(to)];
      return under(from, "jobs") && under(to, "jobs") && a !== undefined && b !== undefined && a !== b && !allowed.has(`${a}→${b}`);
    });
    expect(bad.map(([a, b]) => `${a} → ${b}`)).toEqual([]);
  });
});
