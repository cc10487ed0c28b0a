#!/usr/bin/env bash
# Test @ratecard/wasm through the Vite bundler (examples/vite): `vite build` a minimal app that
# imports the package, serve dist/ on 127.0.0.1 and check the quote in headless Chromium
# (examples/vite/test/vite.test.mjs); and the same app under Vite's dev server on a free port,
# every request of its module graph (the .wasm included) answered 200 and the quote on the page,
# then a fresh app with the packed package and the README's settings alone
# (examples/vite/test/dev.test.mjs).
#
# Idempotent and non-interactive: builds packages/wasm only when packages/wasm/pkg is missing
# (scripts/build-wasm.sh; else only its JavaScript from packages/js, scripts/build-js.sh),
# installs Debian's Chromium only when absent (scripts/setup-chromium.sh), and runs `npm ci` in
# examples/vite only when its lock file changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { echo "[test-vite] $*"; }
die() { echo "[test-vite] ERROR: $*" >&2; exit 1; }
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# Vite 8 needs Node ^20.19 or >= 22.12.
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)' \
    || die "Vite 8 needs Node ^20.19.0 or >= 22.12.0; this is $(node --version)"

if [[ -f packages/wasm/pkg/ratecard_wasm.js && -f packages/wasm/pkg/ratecard_wasm_bg.wasm ]]; then
    log "packages/wasm/pkg is built; its JavaScript from packages/js:"
    bash scripts/build-js.sh wasm
else
    log "packages/wasm/pkg missing: bash scripts/build-wasm.sh"
    bash scripts/build-wasm.sh
fi

bash scripts/setup-chromium.sh

dir=examples/vite
if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" \
      || ! -e "$dir/node_modules/@ratecard/wasm/package.json" ]]; then
    log "npm ci in $dir"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error </dev/null); then
        log "npm ci failed; npm install instead"
        (cd "$dir" && npm install --no-audit --no-fund --loglevel=error </dev/null)
    fi
else
    log "$dir/node_modules up to date"
fi

log "node --test examples/vite/test/"
node --test examples/vite/test/
