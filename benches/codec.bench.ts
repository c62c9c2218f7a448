/**
 * vitest bench (tinybench) of the four codec calls on the backend BRAID_BACKEND selects (the
 * bench-native and bench-wasm projects run this file once each). One iteration is one chunk,
 * cycling through the 258 real records, so `hz` reads as chunks/s.
 */
import { backend } from "braid-seg";
import { bench, describe } from "vitest";
import { loadCodecInputs, OPS } from "./codec.fixture.js";

const inputs = loadCodecInputs();
const n = inputs.blocks.length;
let sink = 0;

describe(`codec, one 64³ chunk per iteration (${backend})`, () => {
  for (const [name, op] of Object.entries(OPS)) {
    let i = 0;
    bench(
      name,
      () => {
        // Reading the result keeps the call from being optimised away.
        sink ^= op(inputs, i)?.constructor.name.length ?? 0;
        i = (i + 1) % n;
      },
      { time: 3000, warmupTime: 500 },
    );
  }
});
