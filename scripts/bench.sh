#!/usr/bin/env bash
# pnpm bench: criterion benches of the Rust core (throughput lines only), the vitest benches
# on both backends, the measurement benches (benches/*.measure.ts), then a summary of this
# run from target/bench-results.jsonl.
#
#   scripts/bench.sh [criterion] [vitest] [measure]    (default: all three, in that order)
#
# Benches time wall clock on a machine others may share: everything runs one file at a time.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(criterion vitest measure)
for s in "${stages[@]}"; do
  case "$s" in criterion | vitest | measure) ;; *) die "unknown stage '$s' (criterion, vitest, measure)" ;; esac
done
wants() { [[ " ${stages[*]} " == *" $1 "* ]]; }

if wants vitest || wants measure; then
  for f in native/index.cjs wasm/braid_wasm_bg.wasm; do
    [ -f "$f" ] || die "$f is missing: run pnpm build first"
  done
fi

results=target/bench-results.jsonl
mkdir -p target
since=$(node -p 'new Date().toISOString()')
export BRAID_BENCH=1 # enables the bench projects in vitest.config.ts

if wants criterion; then
  log "criterion: cargo bench -p braid-core"
  # Criterion prints an id line, then time: and thrpt: lines ([low median high]); keep the id
  # and the median throughput, and record them with the other results.
  cargo bench -p braid-core --benches 2>&1 |
    awk -v at="$since" -v out="$results" '
      /^[A-Za-z0-9_]+\/[^ ]/ { id = $1 }
      /thrpt:/ {
        match($0, /\[[^]]*\]/); split(substr($0, RSTART + 1, RLENGTH - 2), t, " ")
        printf "  %-62s %10s %s\n", id, t[3], t[4]
        printf "{\"name\":\"criterion %s\",\"backend\":\"core\",\"thrpt\":\"%s %s\",\"at\":\"%s\"}\n", id, t[3], t[4], at >> out
      }
      /^(error|warning: unused|thread .* panicked)/ { print }'
fi

if wants vitest; then
  log "vitest bench: native and wasm backends"
  pnpm exec vitest bench --run --project bench-native --project bench-wasm --maxWorkers=1
fi

if wants measure; then
  log "measurement benches: benches/*.measure.ts"
  pnpm exec vitest run --project bench --maxWorkers=1
fi

log "summary (this run, from $results)"
node --input-type=module - "$results" "$since" <<'EOF'
import { existsSync, readFileSync } from "node:fs";
const [file, since] = process.argv.slice(2);
const rows = existsSync(file)
  ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).filter((r) => r.at >= since)
  : [];
if (rows.length === 0) {
  console.log("  (no results recorded)");
  process.exit(0);
}
const fmt = (v) => (typeof v !== "number" ? String(v) : Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : v.toFixed(2));
const table = rows.map(({ name, backend, at, ...m }) => [name, backend, Object.entries(m).map(([k, v]) => `${k}=${fmt(v)}`).join("  ")]);
const width = [0, 1].map((c) => Math.max(...table.map((r) => r[c].length)));
for (const r of table) console.log(`  ${r[0].padEnd(width[0])}  ${r[1].padEnd(width[1])}  ${r[2]}`);
EOF
