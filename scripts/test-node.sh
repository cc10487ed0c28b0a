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

# packages/js's dev dependencies (esbuild, and fast-check for the tape's property tests) are
# installed by the build (scripts/build-js.sh).
node --expose-gc --test packages/js/test/*.test.mjs packages/node/test/*.test.mjs
