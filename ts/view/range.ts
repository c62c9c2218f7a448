/**
 * HTTP `Range` for one served object (RFC 9110 §14): a single `bytes=` range becomes an
 * inclusive `[start, end]`; one that cannot be met is a 416; anything else (no header,
 * another unit, several ranges, bad syntax) is ignored and the whole object is sent, as the
 * RFC allows. neuroglancer asks for one range at a time (shard indexes, minishard indexes,
 * chunks; zarr v3 shard indexes as suffixes).
 */
export type RangeAnswer = { start: number; end: number } | "unsatisfiable" | undefined;

export function parseRange(header: string | undefined, size: number): RangeAnswer {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    // `bytes=-n`: the last n bytes; a zero-length suffix can never be met.
    const n = Number(m[2]);
    return n === 0 || size === 0 ? "unsatisfiable" : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? Infinity : Number(m[2]);
  if (last < start) return undefined;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(last, size - 1) };
}
