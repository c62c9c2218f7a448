/** Scratch directories for tests, and the `file://` URLs the API takes for them. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** A new empty directory under the system temp dir, named `braid-<prefix>-…`. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `braid-${prefix}-`));
}

export function fileUrl(dir: string): string {
  return pathToFileURL(dir).href;
}
