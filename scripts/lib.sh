# Shared helpers for braid's scripts (sourced).
log() { printf '\033[1m[braid]\033[0m %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Version of a crate pinned in Cargo.lock.
locked_version() {
  awk -v name="$1" '$0 == "name = \"" name "\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

# How to build for wasm32: "rustup" when rustup has the target's std, else "debian"
# (Debian's rustc-web + rust-web-src, building std from source), else "none".
wasm_route() {
  if rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    echo rustup
  elif [ -x /usr/bin/rustc ] && [ -d /usr/lib/rustlib/src/rust/library ] && command -v wasm-ld >/dev/null; then
    echo debian
  else
    echo none
  fi
}
