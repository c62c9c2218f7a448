/**
 * Keeps a served local volume inside its directory: keys never hold `..` (the server and
 * the storage layer refuse them), but a symlink inside the volume may point anywhere, so
 * the key's real path must stay under the root's real path.
 */
import { realpath } from "node:fs/promises";
import { join, sep } from "node:path";

export interface LocalRoot {
  /** The directory as given. */
  path: string;
  /** Its real path (symlinks resolved), read when serving starts. */
  real: string;
}

export async function localRoot(path: string): Promise<LocalRoot> {
  return { path, real: await realpath(path).catch(() => path) };
}

const missing = (e: NodeJS.ErrnoException) => e.code === "ENOENT" || e.code === "ENOTDIR";

/** Whether `key` resolves inside `root`; a missing path counts as inside (it reads as 404). */
export async function confined(root: LocalRoot, key: string): Promise<boolean> {
  let real: string;
  try {
    real = await realpath(join(root.path, ...key.split("/")));
  } catch (e) {
    if (missing(e as NodeJS.ErrnoException)) return true;
    throw e;
  }
  return real === root.real || real.startsWith(root.real + sep);
}
