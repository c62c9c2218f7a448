/**
 * Storage by URL, opened once per thread: units of a run share one client (and its
 * connections). A `Storage` object handed to the API is registered under its URL so units
 * run in-process reach that very object; worker threads can only open URLs.
 */
import { openStorage, type OpenStorageOptions } from "./index.js";
import type { Storage } from "./types.js";

const given = new Map<string, Storage>();
const opened = new Map<string, Promise<Storage>>();

/** The URL units use for `target`; a `Storage` object is remembered for in-process units. */
export function storageUrl(target: string | Storage): string {
  if (typeof target === "string") return target;
  given.set(target.url, target);
  return target.url;
}

export function storageFor(url: string, options?: OpenStorageOptions): Promise<Storage> {
  const object = given.get(url);
  if (object) return Promise.resolve(object);
  const key = `${url}\0${JSON.stringify(options ?? {})}`;
  let p = opened.get(key);
  if (!p) {
    p = openStorage(url, options);
    p.catch(() => opened.delete(key));
    opened.set(key, p);
  }
  return p;
}

/**
 * Whether worker threads opening `target`'s URL see the same objects: not for memory stores
 * (per thread) or `Storage` objects of other kinds (only their creator knows how to open them).
 */
export function sharedAcrossThreads(target: string | Storage): boolean {
  const url = typeof target === "string" ? target : target.url;
  if (url.startsWith("memory://")) return false;
  return typeof target === "string" || /^(file|gs):\/\//.test(url);
}
