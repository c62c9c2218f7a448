/** Byte payloads and byte ranges, resolved the same way by every backend. */
import { BraidError } from "../errors.js";
import type { ByteRange } from "./types.js";

const encoder = new TextEncoder();

/** The bytes to store: strings are UTF-8. */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

export function concatBytes(parts: readonly Uint8Array[], total?: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(total ?? parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

const isCount = (n: unknown): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;

/** Rejects malformed ranges before any I/O (negative, fractional, or both shapes at once). */
export function checkRange(range: ByteRange, where: string): ByteRange {
  const ok =
    "suffix" in range
      ? isCount(range.suffix) && !("offset" in range)
      : isCount(range.offset) && (range.length === undefined || isCount(range.length));
  if (!ok) throw new BraidError("INVALID_ARGUMENT", `${where}: invalid byte range ${JSON.stringify(range)}`, { file: where });
  return range;
}

/**
 * `[start, end)` of `range` within an object of `size` bytes, clamped like HTTP ranges: a range
 * starting at or past the end is empty, one running past the end is cut short, and a suffix
 * longer than the object is the whole object.
 */
export function resolveRange(range: ByteRange | undefined, size: number): [number, number] {
  if (range === undefined) return [0, size];
  if ("suffix" in range) return [Math.max(0, size - range.suffix), size];
  const start = Math.min(range.offset, size);
  return [start, range.length === undefined ? size : Math.min(size, start + range.length)];
}

/** Whether `range` selects no bytes whatever the object's size (servers reject such ranges). */
export function isEmptyRange(range: ByteRange | undefined): boolean {
  return range !== undefined && ("suffix" in range ? range.suffix === 0 : range.length === 0);
}
