/**
 * Open read handles shared by overlapping reads of one file. A sharded reader issues many
 * range reads of the same shard at once; opening and stat'ing the file for each one cost
 * more thread-pool round trips than the reads themselves. A handle lives only while reads of
 * its file are in flight, and nothing stays open between bursts. A read that joins a burst
 * sees the file as it was when the burst began: a file replaced by another process meanwhile
 * is seen by the next burst, and one replaced through the same storage is `forget`-ten at
 * once, so reads that start after it see the new file.
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

  /** Makes reads that start from now on open `path` afresh (it was just replaced or deleted). */
  forget(path: string): void {
    this.#entries.delete(path);
  }

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
