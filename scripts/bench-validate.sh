#!/usr/bin/env bash
# Validation time of large catalogs in every face (BENCHMARKS.md, "Validating large catalogs"):
# N (default 100,000) dimensional prices, assets, products or prices, from
# scripts/gen-large-catalog.py. Each face validates the catalog as a user would hand it over:
# the CLI a file, Python and both JavaScript packages the parsed object. Needs the faces built
# (just build-python, build-wasm, build-node). Times are wall-clock seconds, best of 3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
n="${1:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cargo build --quiet --release -p ratecard-cli
py="target/python/venv/bin/python"
[[ -x "$py" ]] || py=python3
printf '| catalog (%s) | CLI | Python | @ratecard/node | @ratecard/wasm |\n|---|---|---|---|---|\n' "$n"
for shape in grid flat assets products prices; do
    python3 scripts/gen-large-catalog.py "$n" "$shape" >"$work/$shape.json"
    cli=$(python3 - "$work/$shape.json" <<'PY'
import subprocess, sys, time
best = min((lambda t: (subprocess.run(["target/release/ratecard", "validate", sys.argv[1]], stdout=subprocess.DEVNULL), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(3))
print(f"{best:.2f}")
PY
)
    python=$("$py" - "$work/$shape.json" <<'PY'
import json, sys, time
import ratecard
catalog = json.load(open(sys.argv[1]))
best = min((lambda t: (ratecard.validate(catalog), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(3))
print(f"{best:.2f}")
PY
)
    js() {
        node --input-type=module -e "
import { readFileSync } from 'node:fs';
const { validate } = await import('$1');
const catalog = JSON.parse(readFileSync('$work/$shape.json', 'utf8'));
let best = Infinity;
for (let i = 0; i < 3; i++) { const t = performance.now(); validate(catalog); best = Math.min(best, performance.now() - t); }
console.log((best / 1000).toFixed(2));"
    }
    node=$(js "$PWD/packages/node/ratecard.mjs")
    wasm=$(js "$PWD/packages/wasm/node.js")
    echo "| $shape | $cli s | $python s | $node s | $wasm s |"
done
