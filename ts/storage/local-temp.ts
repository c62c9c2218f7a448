/**
 * Temporary files of local writes: `.<name>.braid-tmp-<host>-<pid>-<hex>` next to the target,
 * hidden from `list`. A killed run leaves its temporaries behind (a shard's can be gigabytes);
 * the next streamed write (`createWriter`: shards) of the same key removes those whose
 * process is gone; small objects' temporaries are too small to hunt for. Only this host's are
 * judged, since a pid means nothing on another machine sharing the filesystem, and only once
 * untouched for a minute: containers sharing a volume may share a hostname but not pid
 * numbers, and a live writer appends far more often than that.
 */
import { randomBytes } from "node:crypto";
import { readdir, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";

/** How long a temporary must have been left unmodified before it can be judged abandoned. */
export const STALE_TEMP_MS = 60_000;

const HOST = hostname().replace(/[^A-Za-z0-9_]/g, "_").slice(0, 32) || "host";

/** In-progress files, including those of braid versions that did not name the host. */
const TEMP = /^\..*\.braid-tmp-(?:[A-Za-z0-9_]+-)?\d+-[0-9a-f]+$/;

export function isTempName(name: string): boolean {
  return TEMP.test(name);
}

/** A fresh temporary path for a write of `path`. */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.braid-tmp-${HOST}-${process.pid}-${randomBytes(6).toString("hex")}`);
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/**
 * Deletes the temporaries of `path` left by writers on this host that are no longer
 * running and have not written for {@link STALE_TEMP_MS}. Best effort: a temporary that
 * cannot be read or removed is left alone.
 */
export async function removeStaleTemps(path: string): Promise<string[]> {
  const prefix = `.${basename(path)}.braid-tmp-${HOST}-`;
  const dir = dirname(path);
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const m = name.startsWith(prefix) ? /^(\d+)-[0-9a-f]+$/.exec(name.slice(prefix.length)) : null;
    if (!m || processAlive(Number(m[1]))) continue;
    const path = join(dir, name);
    const modified = (await stat(path).catch(() => undefined))?.mtimeMs;
    if (modified === undefined || Date.now() - modified < STALE_TEMP_MS) continue;
    if (await unlink(path).then(() => true, () => false)) removed.push(name);
  }
  return removed;
}
