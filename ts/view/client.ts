/**
 * The built neuroglancer client (scripts/build-viewer.mjs → `dist/neuroglancer/`), found
 * from this module's location both in the repository (ts/ run by vitest, dist/) and in an
 * installed package. Its file names are read once: the server answers only for those.
 */
import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BraidError } from "../errors.js";
import { LocalStorage } from "../storage/local.js";
import type { Storage } from "../storage/types.js";

export interface ClientFiles {
  storage: Storage;
  names: ReadonlySet<string>;
}

/** `dist/neuroglancer` of the braid-seg package this module belongs to. */
export function clientDirectory(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "braid-seg") return join(dir, "dist/neuroglancer");
  }
  throw new BraidError("NOT_FOUND", "cannot find the braid-seg package directory holding the neuroglancer client");
}

export async function clientFiles(dir: string): Promise<ClientFiles> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = new Set(entries.filter((e) => e.isFile() && !e.name.startsWith(".")).map((e) => e.name));
  if (!names.has("index.html")) {
    throw new BraidError("NOT_FOUND", `the neuroglancer client is not built (${join(dir, "index.html")} is missing): run \`pnpm build:viewer\``, {
      file: join(dir, "index.html"),
    });
  }
  return { storage: new LocalStorage(dir), names };
}
