/** The shape of a `braid` subcommand. */
import type { ParseArgsConfig } from "node:util";

export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  /** One line for `braid --help`. */
  summary: string;
  /** Options block for `braid <name> --help`. */
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Runs the command; resolves to the process exit code. */
  run(values: OptionValues, positionals: string[]): Promise<number>;
}

/** Reads a required string option or throws a usage error naming it. */
export function required(values: OptionValues, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new UsageError(`--${name} is required`);
  return v;
}

/** Parses an optional integer option. */
export function intOption(values: OptionValues, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== "string" || !Number.isInteger(n)) throw new UsageError(`--${name} must be an integer, got ${String(v)}`);
  return n;
}

/** Parses `0,1,2` or `1-9` lists of scale indices. */
export function scaleList(spec: string): number[] {
  const out = new Set<number>();
  for (const part of spec.split(",").map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new UsageError(`bad scale list "${spec}": use e.g. 0,1 or 1-9`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a) throw new UsageError(`bad scale range "${part}"`);
    for (let i = a; i <= b; i++) out.add(i);
  }
  return [...out].sort((x, y) => x - y);
}

/** A mistake in the command line: printed with usage, exit code 2. */
export class UsageError extends Error {}
