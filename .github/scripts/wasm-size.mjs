// Prints a Markdown table of the WebAssembly module's size as shipped and as served
// (gzip -9, brotli 11), for $GITHUB_STEP_SUMMARY; parquet-wasm tracks the same per PR.
//   node .github/scripts/wasm-size.mjs [wasm/braid_wasm_bg.wasm ...]
import { readFileSync } from "node:fs";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const files = process.argv.length > 2 ? process.argv.slice(2) : ["wasm/braid_wasm_bg.wasm", "wasm/braid_wasm.js"];
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

console.log("| file | raw | gzip -9 | brotli |\n|---|---:|---:|---:|");
for (const file of files) {
  const bytes = readFileSync(file);
  const gz = gzipSync(bytes, { level: 9 }).length;
  const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  console.log(`| \`${file}\` | ${kib(bytes.length)} | ${kib(gz)} | ${kib(br)} |`);
}
