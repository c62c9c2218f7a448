#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for N seconds each (default 30), after seeding the
# corpora from the real DVID data, then prints one line per target. Exits non-zero if any
# target found a crash, leak, timeout or OOM (the input is kept in fuzz/artifacts/<target>/).
#
#   scripts/fuzz.sh [seconds-per-target] [target...]
#
# Inputs that once failed live in fuzz/regressions/<target>/ (tracked) and are replayed first,
# so a fixed bug stays fixed. Needs a nightly toolchain (BRAID_FUZZ_TOOLCHAIN, default
# "nightly"); installs cargo-fuzz when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

secs=${1:-30}
[[ $secs =~ ^[0-9]+$ ]] || die "usage: scripts/fuzz.sh [seconds-per-target] [target...]"
shift $(($# > 0 ? 1 : 0))
toolchain=${BRAID_FUZZ_TOOLCHAIN:-nightly}
data=${BRAID_SHARED_DATA:-../shared/data}/dvid
fuzz=(cargo "+$toolchain" fuzz)

cargo "+$toolchain" --version >/dev/null 2>&1 ||
  die "cargo-fuzz needs a nightly toolchain: rustup toolchain install $toolchain"
if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
[ -f "$data/30720_24576_28672.arrow" ] || die "real data not found in $data (set BRAID_SHARED_DATA)"

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <("${fuzz[@]}" list)
fi

log "seeding fuzz/corpus from $data"
cargo "+$toolchain" run --quiet --manifest-path fuzz/Cargo.toml --example seed_corpus -- "$data" fuzz/corpus

log "building ${#targets[@]} targets"
"${fuzz[@]}" build

logs=fuzz/target/logs
mkdir -p "$logs"
failed=()
summary=()

# run <label> <target> [cargo-fuzz options]: fuzzes one target, records its outcome.
run() {
  local label=$1 target=$2
  shift 2
  local dirs=("fuzz/corpus/$target")
  mkdir -p "${dirs[0]}"
  [ -d "fuzz/regressions/$target" ] && dirs+=("fuzz/regressions/$target")
  log "fuzzing $label for ${secs}s"
  # -timeout: a single input slower than this is a finding (quadratic paths, bombs).
  if "${fuzz[@]}" run "$@" "$target" "${dirs[@]}" -- \
    -max_total_time="$secs" -timeout=25 -print_final_stats=1 >"$logs/$label.log" 2>&1; then
    local done_line execs
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$logs/$label.log" | tail -1 || true)
    execs=$(sed -nE 's/^stat::number_of_executed_units:[[:space:]]*([0-9]+)/\1/p' "$logs/$label.log" | tail -1)
    summary+=("$(printf '%-20s ok    %10s execs  %s' "$label" "${execs:-?}" \
      "$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' <<<"$done_line")")")
  else
    failed+=("$label")
    summary+=("$(printf '%-20s FAIL  see %s' "$label" "$logs/$label.log")")
    grep -E '^(==[0-9]+==ERROR|thread .* panicked|SUMMARY|artifact_prefix|Test unit written)' \
      "$logs/$label.log" | head -8 >&2 || true
  fi
}

for t in "${targets[@]}"; do
  run "$t" "$t"
done
# Builds without libzstd get the pure-Rust zstd decoder: fuzz it too (rebuilds braid-core without it).
if [[ " ${targets[*]} " == *" gzip_zstd "* ]]; then
  run gzip_zstd-ruzstd gzip_zstd --no-default-features
fi

printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
  die "fuzzing found failures in: ${failed[*]} (inputs in fuzz/artifacts/; reproduce with cargo +$toolchain fuzz run <target> <input>)"
fi
log "all ${#summary[@]} runs clean"
