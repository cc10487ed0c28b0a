#!/usr/bin/env bash
# Tests @ratecard/node: builds it if needed (scripts/build-node.sh), then runs every node:test
# suite: the conformance vectors (packages/js/test/vectors.test.mjs, the one JavaScript vector
# runner, against both packages), the API and robustness tests, ratecard-check, the package entry
# points, the packed tarballs installed into a fresh project (packages/js/test/pack.test.mjs), and
# the tests shared with @ratecard/wasm and the tape-against-JSON comparisons, by examples and by
# properties (their wasm halves skip, saying so, when packages/wasm is not built; in CI they fail
# instead).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/build-node.sh

# The cross-package tests' own dev dependency (fast-check, for the tape's property tests).
if [[ ! -f tests/js/node_modules/.package-lock.json || tests/js/package-lock.json -nt tests/js/node_modules/.package-lock.json ]]; then
    (cd tests/js && npm ci --no-fund --no-audit --loglevel=error)
fi
node --expose-gc --test packages/js/test/*.test.mjs tests/js/node-*.test.mjs tests/js/interchangeable.test.mjs tests/js/tape.test.mjs tests/js/tape-properties.test.mjs
