/**
 * Error codes are one contract across the core and the TypeScript layer: the codes the core
 * can raise (its own list, from the backend) are exactly those `CORE_ERROR_CODES` names, and
 * every code the TypeScript sources raise is listed.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { core } from "braid-seg";
import { CORE_ERROR_CODES, TS_ERROR_CODES } from "../ts/errors.js";
import { repoRoot } from "./helpers/data.js";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe(`error codes on the ${core.name} backend`, () => {
  it("CORE_ERROR_CODES is exactly the list of codes the core raises", () => {
    const raised = core.binding.errorCodes();
    expect(Array.isArray(raised)).toBe(true);
    expect(raised.length).toBeGreaterThan(10);
    expect([...new Set(raised)].sort()).toEqual([...CORE_ERROR_CODES].sort());
  });

  it("every code the TypeScript layer raises is listed, and the two lists do not overlap", () => {
    const listed = new Set<string>([...CORE_ERROR_CODES, ...TS_ERROR_CODES]);
    const raised = new Set<string>();
    for (const file of sources(join(repoRoot, "ts"))) {
      for (const m of readFileSync(file, "utf8").matchAll(/BraidError\(\s*"([A-Z0-9_]+)"/g)) raised.add(m[1]!);
    }
    expect(raised.size).toBeGreaterThan(10);
    expect([...raised].filter((c) => !listed.has(c))).toEqual([]);
    expect(TS_ERROR_CODES.filter((c) => (CORE_ERROR_CODES as readonly string[]).includes(c))).toEqual([]);
    // Listed TS codes are raised somewhere (a stale entry would promise a code nobody raises).
    expect(TS_ERROR_CODES.filter((c) => !raised.has(c))).toEqual([]);
  });
});
