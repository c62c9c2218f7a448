/** Object keys: `/`-separated relative paths, valid on every backend. */
import { BraidError } from "../errors.js";

/**
 * Joins key parts with `/`, dropping empty parts and doubled slashes: `joinKey("s0/", "/a")`
 * is `"s0/a"`. Does not validate; the storage operation that receives the key does.
 */
export function joinKey(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split("/"))
    .filter((s) => s !== "")
    .join("/");
}

// Keys must be portable between backends (a volume written to memory may be copied to disk),
// so anything a filesystem would interpret (`..`, `\`, NUL) is rejected everywhere.
function badSegment(segment: string): boolean {
  return segment === "" || segment === "." || segment === ".." || /[\\\0]/.test(segment);
}

/** Validates an object key (non-empty, no empty, `.` or `..` segments, no `\` or NUL). */
export function objectKey(key: string): string {
  if (typeof key !== "string" || key.split("/").some(badSegment)) {
    throw new BraidError("INVALID_ARGUMENT", `invalid storage key ${JSON.stringify(key)}`);
  }
  return key;
}

/** Validates a directory-like prefix for `child()`; leading/trailing slashes are dropped. */
export function dirPrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : objectKey(trimmed);
}

/**
 * Validates a `list()` prefix. It matches keys by string prefix (`"s0/1"` lists `s0/1` and
 * `s0/10/x`), as object stores do, so only its complete segments are checked.
 */
export function listPrefix(prefix: string | undefined): string {
  const p = prefix ?? "";
  const complete = p.split("/").slice(0, -1);
  if (p.startsWith("/") || complete.some(badSegment) || /[\\\0]/.test(p)) {
    throw new BraidError("INVALID_ARGUMENT", `invalid list prefix ${JSON.stringify(p)}`);
  }
  return p;
}

/** `prefix/key`, or `key` at the root. */
export function under(prefix: string, key: string): string {
  return prefix === "" ? key : key === "" ? prefix : `${prefix}/${key}`;
}
