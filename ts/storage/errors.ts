/** Errors every backend raises the same way. */
import { BraidError } from "../errors.js";

/** An `ifAbsent` write found an object at `where` (`describe(key)`). */
export function alreadyExists(where: string, cause?: unknown): BraidError {
  return new BraidError("ALREADY_EXISTS", `${where} already exists`, { file: where, ...(cause === undefined ? {} : { cause }) });
}
