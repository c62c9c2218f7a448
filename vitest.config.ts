import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(`./ts/${p}`, import.meta.url));

// Tests import the package by name; these aliases point it at the TypeScript sources, which
// load the same native/ and wasm/ artifacts the published package ships.
const alias = [
  { find: /^braid-seg\/native$/, replacement: src("entry/native.ts") },
  { find: /^braid-seg\/wasm$/, replacement: src("entry/wasm-node.ts") },
  { find: /^braid-seg$/, replacement: src("entry/node.ts") },
];

const shared = {
  // Native addons and worker_threads pools do not mix; forks also isolate crashes.
  pool: "forks" as const,
  testTimeout: 180_000,
  hookTimeout: 600_000,
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      // The backend suite runs twice, once per backend, through the BRAID_BACKEND switch.
      ...(["native", "wasm"] as const).map((name) => ({
        resolve: { alias },
        test: { ...shared, name, include: ["test/*.test.ts"], env: { BRAID_BACKEND: name } },
      })),
      {
        resolve: { alias },
        test: { ...shared, name: "integration", include: ["test/integration/**/*.test.ts"] },
      },
    ],
  },
});
