/**
 * Temporary files of local writes: `.<name>.braid-tmp-<host>-<pid>-<hex>` next to the target,
 * hidden from `list`. A killed run leaves its temporaries behind (a shard's can be gigabytes);
 * later writers remove them: `createWriter` (shards) looks for those of its own key, and a
 * process's first write into a directory sweeps that directory once, which also catches small
 * objects' temporaries (an `info` whose writer was killed).
 *
 * Which temporaries are abandoned. Only this host's are judged, since a pid means nothing on
 * another machine sharing the filesystem. The hex starts with a token of the writer's kernel
 * boot and pid namespace: when that is ours, a pid that is not running proves the writer gone,
 * and its temporary goes at once (the rerun after a kill -9 leaves nothing behind). Otherwise
 * (containers sharing a volume may share a hostname but not pid numbers; older braid versions
 * wrote no token) it must also have been untouched for a minute, as a live writer appends far
 * more often than that.
 */
import { createHash, randomBytes } from "node:crypto";
import { readFileSync, readlinkSync } from "node:fs";
import { readdir, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";

/** How long a temporary of unknown origin must have been left unmodified before it can be judged abandoned. */
export const STALE_TEMP_MS = 60_000;

const HOST = hostname().replace(/[^A-Za-z0-9_]/g, "_").slice(0, 32) || "host";

/** In-progress files, including those of braid versions that did not name the host. */
const TEMP = /^\..*\.braid-tmp-(?:[A-Za-z0-9_]+-)?\d+-[0-9a-f]+$/;

/** This host's temporaries: the key's name, the writer's pid and its hex. */
const OURS = new RegExp(`^\\.(.*)\\.braid-tmp-${HOST}-(\\d+)-([0-9a-f]+)$`);

/** Hex digits of the namespace token at the start of a temporary's hex. */
const TOKEN_HEX = 8;

/**
 * 8 hex digits naming this kernel boot and pid namespace: equal tokens mean pids are comparable.
 * Off Linux (or where /proc is hidden) a random one, which matches no other process.
 */
function namespaceToken(): string {
  try {
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    const pidns = readlinkSync("/proc/self/ns/pid");
    return createHash("sha256").update(`${boot}\0${pidns}`).digest("hex").slice(0, TOKEN_HEX);
  } catch {
    return randomBytes(TOKEN_HEX / 2).toString("hex");
  }
}

const TOKEN = namespaceToken();

export function isTempName(name: string): boolean {
  return TEMP.test(name);
}

/** A fresh temporary path for a write of `path`. */
export function tempPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.braid-tmp-${HOST}-${process.pid}-${TOKEN}${randomBytes(6).toString("hex")}`);
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
 * Deletes the abandoned temporaries in `dir` (of the key named `name` only, if given).
 * Best effort: a temporary that cannot be read or removed is left alone.
 */
async function removeAbandoned(dir: string, name?: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const entry of names) {
    const m = OURS.exec(entry);
    if (!m || (name !== undefined && m[1] !== name) || processAlive(Number(m[2]))) continue;
    const path = join(dir, entry);
    const sameNamespace = m[3]!.length > TOKEN_HEX && m[3]!.startsWith(TOKEN);
    if (!sameNamespace) {
      const modified = (await stat(path).catch(() => undefined))?.mtimeMs;
      if (modified === undefined || Date.now() - modified < STALE_TEMP_MS) continue;
    }
    if (await unlink(path).then(() => true, () => false)) removed.push(entry);
  }
  return removed;
}

/** Deletes the abandoned temporaries of `path`. */
export function removeStaleTemps(path: string): Promise<string[]> {
  return removeAbandoned(dirname(path), basename(path));
}

const swept = new Map<string, Promise<unknown>>();

/** Deletes the abandoned temporaries in `dir`, once per process (later calls wait for the first). */
export function sweepStaleTemps(dir: string): Promise<unknown> {
  let p = swept.get(dir);
  if (p === undefined) {
    p = removeAbandoned(dir);
    swept.set(dir, p);
  }
  return p;
}
