/** `fanOut`: one source stream feeding several writers (export's `--format both`). */
import { describe, expect, it } from "vitest";
import { fanOut } from "../ts/volume/concurrency.js";

async function* numbers(n: number, pulled?: { count: number }): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) {
    if (pulled) pulled.count++;
    yield i;
  }
}

async function collect<T>(items: AsyncIterable<T>, delayMs = 0): Promise<T[]> {
  const out: T[] = [];
  for await (const x of items) {
    out.push(x);
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  }
  return out;
}

describe("fanOut", () => {
  it("gives each consumer the items routed to it, in source order", async () => {
    const got = await fanOut(numbers(100), ["even", "all"] as const, (i) => (i % 2 === 0 ? ["even", "all"] : ["all"]), (_, items) => collect(items));
    expect(got.get("all")).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(got.get("even")).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i));
  });

  it("holds the source back to the slowest consumer's high-water mark", async () => {
    const pulled = { count: 0 };
    let maxAhead = 0;
    await fanOut(
      numbers(200, pulled),
      ["fast", "slow"],
      () => ["fast", "slow"],
      async (key, items) => {
        let seen = 0;
        for await (const _ of items) {
          seen++;
          if (key === "slow") {
            maxAhead = Math.max(maxAhead, pulled.count - seen);
            await new Promise((r) => setTimeout(r, 1));
          }
        }
        return seen;
      },
      8,
    );
    expect(pulled.count).toBe(200);
    expect(maxAhead).toBeLessThanOrEqual(8 + 2);
  });

  it("lets the others finish when one consumer fails, then throws its error", async () => {
    let fastGot = 0;
    const run = fanOut(numbers(1000), ["ok", "bad"], () => ["ok", "bad"], async (key, items) => {
      for await (const i of items) {
        if (key === "bad" && i === 5) throw new Error("disk full");
        if (key === "ok") fastGot++;
      }
    });
    await expect(run).rejects.toThrow("disk full");
    expect(fastGot).toBe(1000);
  });

  it("passes a source error to every consumer still reading", async () => {
    async function* failing() {
      yield 1;
      yield 2;
      throw new Error("truncated arrow");
    }
    const errors: string[] = [];
    const run = fanOut(failing(), ["a", "b"], () => ["a", "b"], async (key, items) => {
      try {
        await collect(items);
      } catch (e) {
        errors.push(`${key}: ${(e as Error).message}`);
        throw e;
      }
    });
    await expect(run).rejects.toThrow("truncated arrow");
    expect(errors.sort()).toEqual(["a: truncated arrow", "b: truncated arrow"]);
  });
});
