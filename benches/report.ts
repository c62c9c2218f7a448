/**
 * Shared reporting for `pnpm bench`: every measurement prints one line and is appended to
 * `target/bench-results.jsonl`, from which the README performance table is refreshed.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const results = resolve(dirname(fileURLToPath(import.meta.url)), "../target/bench-results.jsonl");

export type Metrics = Record<string, number | string>;

/**
 * Prints `name: k=v …` and records it with the backend (by default the one BRAID_BACKEND
 * selects) and a timestamp.
 */
export function report(name: string, metrics: Metrics, backend = process.env.BRAID_BACKEND ?? "native"): void {
  const line = Object.entries(metrics)
    .map(([k, v]) => `${k}=${typeof v === "number" ? format(v) : v}`)
    .join("  ");
  console.log(`[bench] ${name} (${backend}): ${line}`);
  mkdirSync(dirname(results), { recursive: true });
  appendFileSync(results, `${JSON.stringify({ name, backend, ...metrics, at: new Date().toISOString() })}\n`);
}

function format(v: number): string {
  if (Number.isInteger(v)) return String(v);
  return v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

/** Peak RSS in MiB, shared with the CLI summaries. */
export { peakRssMiB } from "../ts/pipeline/progress.js";
