#!/usr/bin/env bash
# Measure @ratecard/wasm's budgets (size, instantiation, quote and quoteMany against a
# hand-rolled decimal.js quoter in the same Node process) and print the Markdown for the
# "WebAssembly (@ratecard/wasm)" section of BENCHMARKS.md. BENCH_QUICK=1 for a short run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build-wasm.sh >&2
if [[ ! -f packages/wasm/node_modules/.package-lock.json || packages/wasm/package-lock.json -nt packages/wasm/node_modules/.package-lock.json ]]; then
    (cd packages/wasm && npm ci --no-fund --no-audit --loglevel=error) >&2
fi
args=()
[[ "${BENCH_QUICK:-0}" == 1 ]] && args+=(--quick)
cd packages/wasm
node --expose-gc bench/bench.mjs "${args[@]}"
echo
echo "Per event, the browser module (size first), in the same kind of Node process:"
echo
echo "| per event | µs | ÷ decimal.js |"
echo "|---|---|---|"
node --expose-gc bench/bench.mjs --small "${args[@]}"
