#!/usr/bin/env bash
# Installs what a fresh machine lacks to build and test braid; idempotent, so running it
# again is cheap. Needs network access to the package registries only.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

PNPM_VERSION=10.34.9
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
    { $SUDO apt-get update >/dev/null && $SUDO apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
}

# 1. pnpm (corepack's download fails its signature check on some machines; npm works).
if [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

# 2. A wasm32 standard library: rustup's target when present or downloadable, otherwise
#    Debian's rustc-web with std sources (built with -Z build-std by scripts/build-wasm.sh).
if [ "$(wasm_route)" = none ]; then
  if ! rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    apt_install rustc-web cargo-web rust-web-src lld
  fi
fi
log "wasm toolchain: $(wasm_route)"
# clang and llvm-ar compile libdeflate (C) for wasm32.
command -v clang >/dev/null && command -v llvm-ar >/dev/null || apt_install clang llvm

# 3. wasm-bindgen-cli at exactly the version Cargo.lock pins for the wasm-bindgen crate.
want=$(locked_version wasm-bindgen)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
  log "installing wasm-bindgen-cli $want (compiles from source, a few minutes)"
  cargo install wasm-bindgen-cli --version "$want" --locked >/dev/null 2>&1 ||
    cargo install wasm-bindgen-cli --version "$want" >/dev/null
fi

# 4. Headless Chromium for the browser test of the WebAssembly build.
command -v chromium >/dev/null || apt_install chromium

# 5. Python reference implementations (TensorStore, zarr-python, fake-gcs-server).
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import tensorstore, numpy, zarr, ome_zarr_models' 2>/dev/null; then
  log "creating .venv with TensorStore and friends"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r test/oracle/requirements.txt
fi

# 6. JavaScript dependencies, exactly as locked.
pnpm install --frozen-lockfile --reporter=silent
log "setup complete"
