/**
 * Node flags for worker threads. A `Worker` inherits `process.execArgv`, and flags that only
 * make sense for the main entry stop every worker at startup: under `node --input-type=module
 * -e …` each one dies with "--input-type can only be used with string input".
 */

/** Entry-only flags, with whether the flag takes the next argument as its value. */
const ENTRY_ONLY: ReadonlyMap<string, boolean> = new Map([
  ["--input-type", true],
  ["-e", true],
  ["--eval", true],
  ["-p", true],
  ["--print", true],
  ["-i", false],
  ["--interactive", false],
]);

/** `execArgv` without the flags (and their values) that belong to the main entry only. */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const takesValue = ENTRY_ONLY.get(name);
    if (takesValue === undefined) out.push(arg);
    else if (takesValue && name === arg) i++; // the value is the next argument
  }
  return out;
}
