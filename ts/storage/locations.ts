/**
 * Single files named by a path or URL (a spec, a manifest): read or written through the
 * storage of their directory, so `gs://`, `http(s)://` and local paths all work.
 */
import { BraidError, withContext } from "../errors.js";
import type { OpenStorageOptions } from "./index.js";
import type { Storage } from "./types.js";
import { storageFor } from "./by-url.js";

async function locate(location: string, options?: OpenStorageOptions): Promise<{ storage: Storage; key: string }> {
  const slash = location.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : location.slice(0, slash);
  const key = location.slice(slash + 1);
  if (key === "") throw new BraidError("INVALID_ARGUMENT", `${location} names a directory, not a file`);
  return { storage: await storageFor(dir, options), key };
}

export async function readLocation(location: string, options?: OpenStorageOptions): Promise<Uint8Array> {
  const { storage, key } = await locate(location, options);
  let bytes: Uint8Array | undefined;
  try {
    bytes = await storage.read(key);
  } catch (e) {
    throw withContext(e, { file: location });
  }
  if (bytes === undefined) throw new BraidError("NOT_FOUND", `${location} does not exist`, { file: location });
  return bytes;
}

export async function readJsonLocation(location: string, options?: OpenStorageOptions): Promise<unknown> {
  const text = new TextDecoder().decode(await readLocation(location, options));
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BraidError("SPEC_INVALID", `${location} is not valid JSON: ${(e as Error).message}`, { file: location, cause: e });
  }
}

export async function writeLocation(location: string, data: string | Uint8Array, options?: OpenStorageOptions): Promise<void> {
  const { storage, key } = await locate(location, options);
  try {
    await storage.write(key, data);
  } catch (e) {
    throw withContext(e, { file: location });
  }
}
