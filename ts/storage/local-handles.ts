/**
 * Open read handles shared by overlapping reads of one file. A sharded reader issues many
 * range reads of the same shard at once; opening and stat'ing the file for each one cost
 * more thread-pool round trips than the reads themselves. A handle lives only while reads of
 * its file are in flight, so no read sees an older file than an unshared read starting at
 * the same moment would, and nothing stays open between bursts.
 */
import { type FileHandle, open } from "node:fs/promises";

/** An open regular file and its size when opened. */
export interface OpenFile {
  fh: FileHandle;
  size: number;
}

interface Entry {
  /** Resolves to undefined when the path is no regular file; rejects as `open` would. */
  file: Promise<OpenFile | undefined>;
  users: number;
}

async function openFile(path: string): Promise<OpenFile | undefined> {
  const fh = await open(path, "r");
  try {
    const info = await fh.stat();
    if (info.isFile()) return { fh, size: info.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
  await fh.close();
  return undefined;
}

export class SharedReadHandles {
  readonly #entries = new Map<string, Entry>();

  /**
   * Runs `use` with the file at `path` (undefined when it is not a regular file), opening it
   * unless a read in flight already has. Errors of `open` and of `use` propagate.
   */
  async with<R>(path: string, use: (file: OpenFile | undefined) => Promise<R>): Promise<R> {
    let entry = this.#entries.get(path);
    if (entry === undefined) {
      entry = { file: openFile(path), users: 0 };
      this.#entries.set(path, entry);
    }
    entry.users++;
    try {
      return await use(await entry.file);
    } finally {
      if (--entry.users === 0) {
        // Later reads open the file afresh, and see whatever it is by then.
        if (this.#entries.get(path) === entry) this.#entries.delete(path);
        const file = await entry.file.catch(() => undefined);
        await file?.fh.close();
      }
    }
  }
}
