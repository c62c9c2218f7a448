/**
 * A Storage wrapper for tests that count and time requests: every read is logged as
 * `key@range` with the key relative to the wrapped root (through `child` too), reads in flight
 * are tracked, and reads of chosen keys can be held — after the bytes were read, so a test can
 * change the object meanwhile and see what the held read then does with stale bytes.
 */
import type { ByteRange, Storage } from "braid-seg";

export interface RequestLog {
  storage: Storage;
  /** `key@all`, `key@offset+length`, `key@-suffix`, in call order. */
  log: string[];
  /** Most reads in flight at once so far. */
  readonly maxInFlight: number;
  /** Clears the log and the in-flight maximum. */
  reset(): void;
  /**
   * Holds every read whose key matches until `release()`; `reached` resolves once one such read
   * has its bytes (from the object as it was) and waits.
   */
  hold(match: (key: string) => boolean): { reached: Promise<void>; release: () => void };
}

const describeRange = (r: ByteRange | undefined) =>
  r === undefined ? "all" : "suffix" in r ? `-${r.suffix}` : `${r.offset}+${r.length ?? "end"}`;

export function requestLog(inner: Storage): RequestLog {
  const log: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const holds: { match: (key: string) => boolean; reached: () => void; gate: Promise<void> }[] = [];

  const wrap = (s: Storage, prefix: string): Storage => ({
    url: s.url,
    writable: s.writable,
    read: async (key, range) => {
      const full = prefix + key;
      log.push(`${full}@${describeRange(range)}`);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const bytes = await s.read(key, range);
        const hold = holds.find((h) => h.match(full));
        if (hold) {
          hold.reached();
          await hold.gate;
        }
        return bytes;
      } finally {
        inFlight--;
      }
    },
    size: (key) => s.size(key),
    exists: (key) => {
      log.push(`${prefix + key}@exists`);
      return s.exists(key);
    },
    write: (key, data, options) => s.write(key, data, options),
    createWriter: (key, options) => s.createWriter(key, options),
    list: (p) => s.list(p),
    delete: (key) => s.delete(key),
    child: (p) => wrap(s.child(p), `${prefix}${p.replace(/\/+$/, "")}/`),
    describe: (key) => s.describe(key),
  });

  return {
    storage: wrap(inner, ""),
    log,
    get maxInFlight() {
      return maxInFlight;
    },
    reset() {
      log.length = 0;
      maxInFlight = inFlight;
    },
    hold(match) {
      let reached!: () => void;
      let release!: () => void;
      const reachedP = new Promise<void>((r) => (reached = r));
      const gate = new Promise<void>((r) => (release = r));
      const h = { match, reached, gate };
      holds.push(h);
      return {
        reached: reachedP,
        release: () => {
          holds.splice(holds.indexOf(h), 1);
          release();
        },
      };
    },
  };
}
