#!/usr/bin/env bash
# Builds bindings/wasm for wasm32-unknown-unknown and generates the JS glue into wasm/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

target_dir=target/wasm
route=$(wasm_route)
flags="-C target-feature=+simd128,+bulk-memory,+nontrapping-fptoint"
# libdeflate and libzstd are C: the cc crate compiles them with clang for wasm32 (no libc:
# libdeflate freestanding, libzstd through zstd-sys's shim headers).
command -v clang >/dev/null || die "clang is required to build libdeflate and libzstd for wasm32: run scripts/setup.sh"
export CC_wasm32_unknown_unknown=clang
export AR_wasm32_unknown_unknown=llvm-ar
export CFLAGS_wasm32_unknown_unknown="-msimd128 -mbulk-memory -mnontrapping-fptoint"
case "$route" in
  rustup)
    RUSTFLAGS="$flags" CARGO_TARGET_DIR=$target_dir \
      cargo build --release -p braid-wasm --target wasm32-unknown-unknown ;;
  debian)
    # std is rebuilt from Debian's rust-web-src; RUSTC_BOOTSTRAP unlocks -Z build-std on stable.
    RUSTFLAGS="$flags" CARGO_TARGET_DIR=$target_dir RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 \
      /usr/bin/cargo build --release -p braid-wasm --target wasm32-unknown-unknown \
      -Z build-std=std,panic_abort \
      --config 'target.wasm32-unknown-unknown.linker="wasm-ld"' ;;
  *) die "no wasm32 toolchain: run scripts/setup.sh" ;;
esac

want=$(locked_version wasm-bindgen)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')
[ "$have" = "$want" ] || die "wasm-bindgen-cli $want required (found '${have:-none}'): run scripts/setup.sh"
wasm-bindgen --target web --weak-refs --out-dir wasm --out-name braid_wasm \
  "$target_dir/wasm32-unknown-unknown/release/braid_wasm.wasm"
log "wasm: $(wc -c < wasm/braid_wasm_bg.wasm) bytes ($route toolchain)"
