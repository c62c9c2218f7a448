/**
 * Errors as data: every failure braid reports is a {@link BraidError} with a stable `code`
 * (the same on both backends) and, where known, the file and chunk it concerns.
 */

/**
 * Every code the Rust core raises: exactly the core's own list (`braid_core::ERROR_CODES`,
 * exported by both bindings as `errorCodes()`), which a test holds this list to.
 */
export const CORE_ERROR_CODES = [
  "ARROW_CORRUPT",
  "ARROW_INVALID_RECORD",
  "ARROW_SCHEMA_MISMATCH",
  "ARROW_TRUNCATED",
  "ARROW_UNSUPPORTED",
  "CHUNK_NOT_IN_SHARD",
  "CHUNK_OUT_OF_ORDER",
  "CSEG_CORRUPT",
  "CSEG_TOO_LARGE",
  "CSV_INDEX_MISMATCH",
  "CSV_INVALID",
  "DUPLICATE_CHUNK",
  "DVID_CORRUPT",
  "DVID_MAPPING_MISMATCH",
  "DVID_TRUNCATED",
  "GZIP_CORRUPT",
  "INVALID_ARGUMENT",
  "SHARD_CORRUPT",
  "SHARD_SPEC_INVALID",
  "SIZE_MISMATCH",
  "TOO_LARGE",
  "ZARR_CORRUPT",
  "ZARR_UNSUPPORTED",
  "ZSTD_CORRUPT",
] as const;

/** Codes only the TypeScript layer raises (it may raise core codes too); a test scans for them. */
export const TS_ERROR_CODES = [
  "ALREADY_EXISTS",
  "BACKEND_UNAVAILABLE",
  "CHUNK_OUTSIDE_GRID",
  "CHUNK_SIZE_UNSUPPORTED",
  "CLOSED",
  "DEST_INFO_MISMATCH",
  "INTERNAL",
  "LABEL_MODE_MISMATCH",
  "MANIFEST_INVALID",
  "MISSING_INDEX",
  "NOT_FOUND",
  "NOT_INITIALIZED",
  "NO_SPACE",
  "SPEC_INVALID",
  "STORAGE_ERROR",
  "TASK_COUNT_MISMATCH",
  "UNREACHABLE",
  "UNSUPPORTED",
  "WORKER_CRASHED",
  "WORKER_START_FAILED",
  "Z_COMPRESS_INVALID",
  "Z_COMPRESS_MISMATCH",
] as const;

/** Codes raised by the Rust core and the TypeScript layer. Open-ended: new codes may appear. */
export type BraidErrorCode = (typeof CORE_ERROR_CODES)[number] | (typeof TS_ERROR_CODES)[number] | (string & {});

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
