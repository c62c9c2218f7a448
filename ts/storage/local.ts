/**
 * Storage on the local filesystem. Every write goes to a temporary file next to its target,
 * is fsynced, then renamed (or hard-linked, for `ifAbsent`) into place, so a key holds a
 * complete object or nothing, even across crashes. Node only.
 */
import { type FileHandle, link, mkdir, open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BraidError } from "../errors.js";
import { checkRange, resolveRange, toBytes } from "./bytes.js";
import { alreadyExists } from "./errors.js";
import { SharedReadHandles } from "./local-handles.js";
import { isTempName, removeStaleTemps, sweepStaleTemps, tempPath } from "./local-temp.js";
import { dirPrefix, listPrefix, objectKey } from "./keys.js";
import type { ByteRange, ObjectWriter, Storage, WriteOptions } from "./types.js";
import { checkHeaderLength, WriterBase } from "./writer.js";


const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;
/** What a read of a missing object (or of a path through a missing directory) fails with. */
const isMissing = (e: unknown) => errno(e) === "ENOENT" || errno(e) === "ENOTDIR";

async function writeAll(fh: FileHandle, data: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < data.byteLength; ) {
    const { bytesWritten } = await fh.write(data, done, data.byteLength - done, position + done);
    done += bytesWritten;
  }
}

/** Errors of a full filesystem or an exhausted quota: the write may work once space is freed. */
const NO_SPACE = new Set(["ENOSPC", "EDQUOT"]);

function storageError(e: unknown, op: string, path: string): BraidError {
  if (e instanceof BraidError) return e;
  const reason = e instanceof Error ? e.message : String(e);
  const code = errno(e);
  if (code !== undefined && NO_SPACE.has(code)) {
    return new BraidError("NO_SPACE", `cannot ${op} ${path}: no space left on its filesystem (${reason})`, { file: path, cause: e });
  }
  return new BraidError("STORAGE_ERROR", `cannot ${op} ${path}: ${reason}`, { file: path, cause: e });
}

async function createTemp(path: string): Promise<{ fh: FileHandle; path: string }> {
  try {
    await mkdir(dirname(path), { recursive: true });
    // A killed run's temporaries in this directory go before this process adds its own.
    await sweepStaleTemps(dirname(path));
    const tmp = tempPath(path);
    return { fh: await open(tmp, "wx"), path: tmp };
  } catch (e) {
    throw storageError(e, "write", path);
  }
}

/**
 * Moves a finished (fsynced) temp file to `path`; `ifAbsent` hard-links instead, which cannot
 * clobber. The directory is not fsynced: after a power loss the key may still hold the previous
 * object (or none), but never a partial one, and syncing it would cost a flush per chunk.
 */
async function publish(tmp: string, path: string, ifAbsent: boolean): Promise<void> {
  if (!ifAbsent) return rename(tmp, path);
  try {
    await link(tmp, path);
  } catch (e) {
    if (errno(e) === "EEXIST") throw alreadyExists(path, e);
    throw e;
  }
  // Published already; a leftover temp file would only be hidden clutter, not an error.
  await unlink(tmp).catch(() => {});
}

export class LocalStorage implements Storage {
  readonly writable = true;
  readonly url: string;
  /** Absolute path of the root directory (it need not exist until the first write). */
  readonly root: string;
  readonly #handles = new SharedReadHandles();

  /** `root` is a path (relative to the working directory) or a `file://` URL. */
  constructor(root: string) {
    this.root = resolve(root.startsWith("file:") ? fileURLToPath(root) : root);
    this.url = pathToFileURL(this.root).href;
  }

  async read(key: string, range?: ByteRange): Promise<Uint8Array | undefined> {
    const path = this.#path(key);
    if (range !== undefined) checkRange(range, path);
    try {
      return await this.#handles.with(path, async (file) => {
        if (file === undefined) return undefined;
        const [start, end] = resolveRange(range, file.size);
        const out = new Uint8Array(end - start);
        // Positional reads of just the range; a file never shrinks under us because writers
        // replace it by rename rather than rewriting it.
        for (let done = 0; done < out.byteLength; ) {
          const { bytesRead } = await file.fh.read(out, done, out.byteLength - done, start + done);
          if (bytesRead === 0) return out.subarray(0, done);
          done += bytesRead;
        }
        return out;
      });
    } catch (e) {
      if (isMissing(e) || errno(e) === "EISDIR") return undefined; // a directory is no object
      throw storageError(e, "read", path);
    }
  }

  async size(key: string): Promise<number | undefined> {
    const path = this.#path(key);
    try {
      const info = await stat(path);
      return info.isFile() ? info.size : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw storageError(e, "stat", path);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.size(key)) !== undefined;
  }

  async write(key: string, data: Uint8Array | string, options: WriteOptions = {}): Promise<void> {
    const path = this.#path(key);
    const bytes = toBytes(data);
    const tmp = await createTemp(path);
    try {
      await writeAll(tmp.fh, bytes, 0);
      await tmp.fh.sync();
      await tmp.fh.close();
      await publish(tmp.path, path, options.ifAbsent ?? false);
      this.#handles.forget(path);
    } catch (e) {
      await tmp.fh.close().catch(() => {});
      // The write already failed; a temp file that cannot go too must not hide why.
      await rm(tmp.path, { force: true }).catch(() => {});
      throw storageError(e, "write", path);
    }
  }

  async createWriter(key: string, options: { headerLength?: number } & WriteOptions = {}): Promise<ObjectWriter> {
    const path = this.#path(key);
    const headerLength = checkHeaderLength(options.headerLength ?? 0, path);
    if (options.ifAbsent && (await this.exists(key))) throw alreadyExists(path);
    // Large objects are written through writers; a killed run's temporaries go here.
    await removeStaleTemps(path);
    const tmp = await createTemp(path);
    return new LocalWriter(path, headerLength, { ...tmp, ifAbsent: options.ifAbsent ?? false }, this.#handles);
  }

  async *list(prefix?: string): AsyncIterable<string> {
    const p = listPrefix(prefix);
    const slash = p.lastIndexOf("/");
    // Walk only the deepest directory the prefix names; the partial last segment filters.
    yield* this.#walk(p.slice(0, slash + 1), p.slice(slash + 1));
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      await unlink(path);
      this.#handles.forget(path);
    } catch (e) {
      // A directory is not an object, so it is as absent as a missing file.
      if (isMissing(e) || errno(e) === "EISDIR" || ((errno(e) === "EPERM" || errno(e) === "EACCES") && (await this.#isDir(path)))) return;
      throw storageError(e, "delete", path);
    }
  }

  child(prefix: string): Storage {
    const p = dirPrefix(prefix);
    return p === "" ? this : new LocalStorage(join(this.root, ...p.split("/")));
  }

  describe(key: string): string {
    return key === "" ? this.root : join(this.root, ...key.split("/"));
  }

  async *#walk(dir: string, startsWith: string): AsyncIterable<string> {
    const abs = join(this.root, ...dir.split("/").filter(Boolean));
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw storageError(e, "list", abs);
    }
    for (const entry of entries) {
      if (!entry.name.startsWith(startsWith) || isTempName(entry.name)) continue;
      const key = dir + entry.name;
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        const target = await stat(join(abs, entry.name)).catch(() => undefined);
        isDir = target?.isDirectory() ?? false;
        isFile = target?.isFile() ?? false;
      }
      if (isFile) yield key;
      else if (isDir) yield* this.#walk(`${key}/`, "");
    }
  }

  async #isDir(path: string): Promise<boolean> {
    return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
  }

  #path(key: string): string {
    const k = objectKey(key);
    const path = join(this.root, ...k.split("/"));
    // objectKey already rules out `..`; this guards against platform path quirks.
    if (!isAbsolute(path) || !path.startsWith(this.root + (this.root.endsWith(sep) ? "" : sep))) {
      throw new BraidError("INVALID_ARGUMENT", `storage key ${JSON.stringify(key)} escapes ${this.root}`);
    }
    return path;
  }
}

class LocalWriter extends WriterBase {
  #position: number;

  constructor(
    private readonly path: string,
    headerLength: number,
    private readonly tmp: { fh: FileHandle; path: string; ifAbsent: boolean },
    private readonly handles: SharedReadHandles,
  ) {
    super(path, headerLength);
    this.#position = headerLength;
  }

  protected async appendBody(data: Uint8Array): Promise<void> {
    try {
      await writeAll(this.tmp.fh, data, this.#position);
    } catch (e) {
      throw storageError(e, "write", this.path);
    }
    this.#position += data.byteLength;
  }

  protected async publish(header: Uint8Array): Promise<void> {
    try {
      // The header goes into the space left at the start: positional, so no rewrite of the body.
      await writeAll(this.tmp.fh, header, 0);
      await this.tmp.fh.sync();
      await this.tmp.fh.close();
      await publish(this.tmp.path, this.path, this.tmp.ifAbsent);
      this.handles.forget(this.path);
    } catch (e) {
      throw storageError(e, "write", this.path);
    }
  }

  protected async discard(): Promise<void> {
    await this.tmp.fh.close().catch(() => {});
    await rm(this.tmp.path, { force: true });
  }
}
