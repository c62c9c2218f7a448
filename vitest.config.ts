import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(`./ts/${p}`, import.meta.url));

// Tests import the package by name; these aliases point it at the TypeScript sources, which
// load the same native/ and wasm/ artifacts the published package ships.
const alias = [
  { find: /^braid-seg\/native$/, replacement: src("entry/native.ts") },
  { find: /^braid-seg\/wasm$/, replacement: src("entry/wasm-node.ts") },
  { find: /^braid-seg\/view$/, replacement: src("entry/view.ts") },
  { find: /^braid-seg$/, replacement: src("entry/node.ts") },
];

const shared = {
  // Native addons and worker_threads pools do not mix; forks also isolate crashes.
  pool: "forks" as const,
  testTimeout: 180_000,
  hookTimeout: 600_000,
};

// `vitest bench` would otherwise collect benches/*.bench.ts into every project.
const noBenches = { benchmark: { include: [] } };

// Bench projects exist only under `pnpm bench` (scripts/bench.sh sets BRAID_BENCH=1), so a
// plain `vitest run` / `pnpm test` never runs the slow measurement files.
const benchProjects = process.env.BRAID_BENCH
  ? [
      // vitest bench (tinybench) suites, once per backend like the test suite.
      ...(["native", "wasm"] as const).map((backend) => ({
        resolve: { alias },
        test: {
          ...shared,
          name: `bench-${backend}`,
          include: [],
          benchmark: { include: ["benches/**/*.bench.ts"] },
          env: { BRAID_BACKEND: backend },
        },
      })),
      // Measurement files: plain tests that time whole workloads and call report().
      {
        resolve: { alias },
        test: { ...shared, name: "bench", include: ["benches/**/*.measure.ts"], testTimeout: 1_800_000 },
      },
    ]
  : [];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      // The backend suite runs twice, once per backend, through the BRAID_BACKEND switch.
      ...(["native", "wasm"] as const).map((name) => ({
        resolve: { alias },
        test: { ...shared, ...noBenches, name, include: ["test/*.test.ts"], env: { BRAID_BACKEND: name } },
      })),
      {
        resolve: { alias },
        test: { ...shared, ...noBenches, name: "integration", include: ["test/integration/**/*.test.ts"] },
      },
      ...benchProjects,
    ],
  },
});
