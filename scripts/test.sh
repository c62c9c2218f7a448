#!/usr/bin/env bash
# Everything CI checks: builds both backends, the Rust tests, the type check, the vitest
# suites (native, wasm, integration incl. TensorStore/fake-gcs/Chromium/package install).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

log "build: native addon, wasm, TypeScript"
pnpm run build
# The typings the build generates are committed (the type check needs them before any build).
git diff --exit-code --stat -- native/index.d.cts wasm/braid_wasm.d.ts ||
  die "native/index.d.cts or wasm/braid_wasm.d.ts changed in the build: commit the regenerated files"
log "cargo test"
cargo test -p braid-core --quiet
cargo test -p braid-core --quiet --no-default-features  # again with the pure-Rust zstd fallback (no libzstd)
log "type check"
pnpm run typecheck
log "vitest"
pnpm exec vitest run "$@"
