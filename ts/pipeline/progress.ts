/**
 * Progress of a long run: a redrawn status line on a terminal (chunks/s, ETA), JSON lines
 * otherwise (Cloud Run, Kubernetes and Batch logs), and the final summary.
 */
import type { ProgressDelta } from "./tasks.js";

/** How a job reports its progress (on top of `onProgress` callbacks). */
export interface ProgressReporting {
  /** Status line (true) or JSON lines (false); default: whether stderr is a terminal. */
  tty?: boolean;
  write?: (line: string) => void;
  /** Seconds between JSON lines. */
  interval?: number;
}

export interface ProgressOptions {
  /** What is being done, e.g. "export s1". */
  label: string;
  /** Expected chunk count, for the ETA (0 = unknown). */
  totalChunks: number;
  /** Redraw a status line (TTY) instead of logging JSON lines. */
  tty?: boolean;
  /** Where lines go (default stderr). */
  write?: (line: string) => void;
  /** Seconds between JSON progress lines (default 10). */
  interval?: number;
}

export interface Totals {
  chunks: number;
  bytesIn: number;
  bytesOut: number;
  seconds: number;
}

const MB = 1e6;

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, "0")}m` : m > 0 ? `${m}m${String(sec).padStart(2, "0")}s` : `${sec}s`;
}

export class Progress {
  readonly #o: Required<ProgressOptions>;
  readonly #t0 = performance.now();
  #chunks = 0;
  #bytesIn = 0;
  #bytesOut = 0;
  #last = 0;

  constructor(options: ProgressOptions) {
    this.#o = {
      tty: process.stderr.isTTY === true,
      write: (l) => process.stderr.write(l),
      interval: 10,
      ...options,
    };
  }

  add(d: ProgressDelta): void {
    this.#chunks += d.chunks ?? 0;
    this.#bytesIn += d.bytesIn ?? 0;
    this.#bytesOut += d.bytesOut ?? 0;
    const now = performance.now();
    if (now - this.#last >= (this.#o.tty ? 200 : this.#o.interval * 1000)) {
      this.#last = now;
      this.#render(false);
    }
  }

  totals(): Totals {
    return {
      chunks: this.#chunks,
      bytesIn: this.#bytesIn,
      bytesOut: this.#bytesOut,
      seconds: (performance.now() - this.#t0) / 1000,
    };
  }

  /** Final line; the caller prints the summary. */
  done(): Totals {
    this.#render(true);
    return this.totals();
  }

  /** A JSON log line (non-TTY) or a plain line (TTY), e.g. a task failure. */
  event(kind: string, fields: Record<string, unknown>): void {
    if (this.#o.tty) {
      this.#o.write(`\r\x1b[K${kind}: ${Object.entries(fields).map(([k, v]) => `${k}=${String(v)}`).join(" ")}\n`);
    } else {
      this.#o.write(`${JSON.stringify({ event: kind, label: this.#o.label, ...fields }, bigintSafe)}\n`);
    }
  }

  #render(final: boolean): void {
    const t = this.totals();
    const rate = t.chunks / Math.max(t.seconds, 1e-3);
    const total = this.#o.totalChunks;
    const eta = total > 0 && rate > 0 ? (total - t.chunks) / rate : Number.NaN;
    if (this.#o.tty) {
      const width = 30;
      const frac = total > 0 ? Math.min(1, t.chunks / total) : 0;
      const bar = "█".repeat(Math.round(frac * width)).padEnd(width, "░");
      const text =
        `${this.#o.label} ${bar} ${t.chunks}/${total || "?"} chunks  ${rate.toFixed(0)} chunks/s  ` +
        `${(t.bytesOut / MB).toFixed(1)} MB out  ${final ? `done in ${duration(t.seconds)}` : `ETA ${duration(eta)}`}`;
      this.#o.write(`\r\x1b[K${text}${final ? "\n" : ""}`);
    } else {
      this.event(final ? "finished" : "progress", {
        chunks: t.chunks,
        total,
        chunksPerSecond: Math.round(rate),
        bytesIn: t.bytesIn,
        bytesOut: t.bytesOut,
        seconds: Math.round(t.seconds * 10) / 10,
        ...(final ? {} : { etaSeconds: Number.isFinite(eta) ? Math.round(eta) : null }),
      });
    }
  }
}

/** JSON.stringify replacer that writes bigints as decimal strings. */
export function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** Peak resident set size of this process in MiB (Linux VmHWM; current RSS elsewhere). */
export async function peakRssMiB(): Promise<number> {
  const { readFile } = await import("node:fs/promises");
  const status = await readFile("/proc/self/status", "utf8").catch(() => "");
  const m = /VmHWM:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 2 ** 20;
}
