#!/usr/bin/env bash
# Test @ratecard/wasm end to end (builds it first when needed):
#   1. the glue crate's native unit tests (cargo test -p ratecard-wasm)
#   2. the declarations (packages/js/index.d.ts, copied into packages/wasm by the build):
#      `tsc --noEmit` checks a typed usage example against them (test/usage.ts, Node's module
#      resolution) and a catalog imported as JSON the way a bundler app has it
#      (test/json-import.ts)
#   3. node:test over the built package: every conformance vector in tests/vectors/*.json (the
#      one JavaScript vector runner, packages/js/test/vectors.test.mjs, for wasm only here),
#      plus the JavaScript-specific API tests and the shared ones of inputs only JavaScript has
#      (packages/js/test/inputs.test.mjs), and the packed tarball installed into a fresh project
#      outside the repository and used (packages/js/test/pack.test.mjs)
#   4. the price-preview page (examples/web) in headless Chromium (SKIP_BROWSER=1 skips it)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { echo "[test-wasm] $*"; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

bash scripts/build-wasm.sh

# npm install only when the lock file changed since the last install.
npm_install() {
    local dir="$1"
    if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
        log "npm ci in $dir"
        (cd "$dir" && npm ci --no-fund --no-audit --loglevel=error)
    fi
}

log "1/4 cargo test -p ratecard-wasm (native)"
cargo test -j "${CARGO_BUILD_JOBS:-2}" --target-dir target/wasm/host -p ratecard-wasm --quiet

log "2/4 TypeScript declarations"
npm_install packages/wasm
(cd packages/wasm && npx --no-install tsc -p test && npx --no-install tsc -p test/tsconfig.json-import.json)

log "3/4 node --test (conformance vectors + API)"
(cd packages/wasm && node --test test/)
RATECARD_PACKAGES=wasm node --test packages/js/test/vectors.test.mjs packages/js/test/inputs.test.mjs \
    packages/js/test/pack.test.mjs

if [[ "${SKIP_BROWSER:-0}" == 1 ]]; then
    log "4/4 browser test skipped (SKIP_BROWSER=1)"
else
    log "4/4 price-preview page in headless Chromium"
    bash scripts/setup-chromium.sh
    npm_install examples/web
    (cd examples/web && node --test test/)
fi
log "all passed"
