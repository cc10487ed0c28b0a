#!/usr/bin/env bash
# Tests @ratecard/node: builds it if needed (scripts/build-node.sh), checks that the generated
# files (napi-rs loader index.js, raw index.d.ts, public ratecard.d.ts) are what the committed
# sources regenerate, then runs every node:test suite: the conformance vectors, the API and
# robustness tests, ratecard-check, the package entry points, and the test shared with
# @ratecard/wasm and the tape-against-JSON comparisons, by examples and by properties (their
# wasm halves skip, saying so, when packages/wasm is not built; in CI they fail instead).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/build-node.sh

generated=(packages/node/index.js packages/node/index.d.ts packages/node/ratecard.d.ts)
for f in "${generated[@]}"; do
    git ls-files --error-unmatch "$f" >/dev/null 2>&1 || { echo "[test-node] $f is not committed" >&2; exit 1; }
done
if ! git diff --exit-code -- "${generated[@]}"; then
    echo "[test-node] regenerating changed the committed files above: commit the regenerated ones" >&2
    exit 1
fi
echo "[test-node] generated files match the committed ones"
# The tape decoder is written once (packages/types/tape.mjs) and copied into both packages.
node scripts/sync-tape.mjs --check

# The cross-package tests' own dev dependency (fast-check, for the tape's property tests).
if [[ ! -f tests/js/node_modules/.package-lock.json || tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]]; then
    (cd tests/js && npm ci --no-fund --no-audit --loglevel=error)
fi
node --expose-gc --test tests/js/node-*.test.mjs tests/js/interchangeable.test.mjs tests/js/tape.test.mjs tests/js/tape-properties.test.mjs
