/**
 * Errors as data: every failure braid reports is a {@link BraidError} with a stable `code`
 * (the same on both backends) and, where known, the file and chunk it concerns.
 */

/** Codes raised by the Rust core and the TypeScript layer. Open-ended: new codes may appear. */
export type BraidErrorCode =
  | "DVID_TRUNCATED"
  | "DVID_CORRUPT"
  | "DVID_MAPPING_MISMATCH"
  | "CSEG_CORRUPT"
  | "CSEG_TOO_LARGE"
  | "GZIP_CORRUPT"
  | "ZSTD_CORRUPT"
  | "SIZE_MISMATCH"
  | "TOO_LARGE"
  | "SHARD_CORRUPT"
  | "SHARD_SPEC_INVALID"
  | "ARROW_CORRUPT"
  | "ARROW_SCHEMA_MISMATCH"
  | "ARROW_TRUNCATED"
  | "ARROW_INVALID_RECORD"
  | "ARROW_UNSUPPORTED"
  | "CSV_INVALID"
  | "CSV_INDEX_MISMATCH"
  | "CHUNK_NOT_IN_SHARD"
  | "CHUNK_OUT_OF_ORDER"
  | "DUPLICATE_CHUNK"
  | "MISSING_INDEX"
  | "DEST_INFO_MISMATCH"
  | "MANIFEST_INVALID"
  | "UNSUPPORTED"
  | "INTERNAL"
  | "INVALID_ARGUMENT"
  | "NOT_INITIALIZED"
  | "BACKEND_UNAVAILABLE"
  | "NOT_FOUND"
  | "STORAGE_ERROR"
  | "ALREADY_EXISTS"
  | "UNREACHABLE"
  | "WORKER_CRASHED"
  | "WORKER_START_FAILED"
  | "SPEC_INVALID"
  | "ZARR_CORRUPT"
  | "CLOSED"
  | (string & {});

/** Where a failure happened, when the caller knows. */
export interface ErrorContext {
  /** File, object key or URL being read or written. */
  file?: string;
  /** Chunk coordinate `[x, y, z]` or chunk id. */
  chunk?: readonly number[] | bigint | string;
}

export class BraidError extends Error {
  readonly code: BraidErrorCode;
  readonly file?: string;
  readonly chunk?: readonly number[] | bigint | string;

  constructor(code: BraidErrorCode, message: string, context: ErrorContext & { cause?: unknown } = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = "BraidError";
    this.code = code;
    if (context.file !== undefined) this.file = context.file;
    if (context.chunk !== undefined) this.chunk = context.chunk;
  }
}

/** Whether `e` is a BraidError, optionally with a given code. */
export function isBraidError(e: unknown, code?: BraidErrorCode): e is BraidError {
  return e instanceof BraidError && (code === undefined || e.code === code);
}

const CODED = /^\[([A-Z0-9_]+)\] ([\s\S]*)$/;

/** Turns an error thrown by a backend (`"[CODE] message"`) into a BraidError. */
export function fromBackendError(e: unknown): BraidError {
  if (e instanceof BraidError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const m = CODED.exec(message);
  if (m) return new BraidError(m[1]!, m[2]!, { cause: e });
  return new BraidError("INTERNAL", message, { cause: e });
}

function describe(context: ErrorContext): string {
  const parts: string[] = [];
  if (context.file !== undefined) parts.push(context.file);
  if (context.chunk !== undefined) {
    const c = context.chunk;
    parts.push(`chunk ${Array.isArray(c) ? `(${c.join(",")})` : String(c)}`);
  }
  return parts.join(", ");
}

/** Re-raises `e` as a BraidError that names the file and chunk it concerns. */
export function withContext(e: unknown, context: ErrorContext): BraidError {
  const base = fromBackendError(e);
  const where = describe(context);
  const message = where && !base.message.startsWith(where) ? `${where}: ${base.message}` : base.message;
  return new BraidError(base.code, message, {
    file: context.file ?? base.file,
    chunk: context.chunk ?? base.chunk,
    cause: base.cause ?? e,
  });
}

/** Calls into the backend, converting `"[CODE] message"` errors into BraidError. */
export function call<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw fromBackendError(e);
  }
}

/** {@link call} for promises. */
export async function callAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromBackendError(e);
  }
}
