/** Errors as report data: what the summary prints and what crosses thread boundaries. */
import { BraidError, fromBackendError } from "../errors.js";

function chunkText(c: BraidError["chunk"]): string | undefined {
  if (c === undefined) return undefined;
  return Array.isArray(c) ? `(${c.join(",")})` : String(c);
}

/** An error as data (what crosses threads and goes into reports). */
export interface ErrorRecord {
  code: string;
  message: string;
  file?: string;
  chunk?: string;
}

export function errorRecord(e: unknown): ErrorRecord {
  const b = fromBackendError(e);
  const out: ErrorRecord = { code: b.code, message: b.message };
  if (b.file !== undefined) out.file = b.file;
  const chunk = chunkText(b.chunk);
  if (chunk !== undefined) out.chunk = chunk;
  return out;
}

/** One line for reports: `[CODE] message`. The message already names file and chunk. */
export function formatError(r: ErrorRecord): string {
  return `[${r.code}] ${r.message}`;
}
