#!/usr/bin/env bash
# Builds the JavaScript of @ratecard/wasm and/or @ratecard/node from the one source in packages/js
# (packages/js/build.mjs: the wrapper and tape codec bundled with the package's host adapter by
# esbuild, the declarations copied, wasm's schema.js written). Every file it writes is
# git-ignored. scripts/build-wasm.sh and scripts/build-node.sh run it; fast and idempotent.
#   bash scripts/build-js.sh wasm|node ...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir=packages/js
# esbuild (and fast-check, for the tests), exactly as locked; installed again only when the lock
# file changed.
if [[ ! -f "$dir/node_modules/.package-lock.json" || "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
    echo "[build-js] npm ci in $dir (esbuild, fast-check)"
    (cd "$dir" && npm ci --no-fund --no-audit --loglevel=error)
fi
node "$dir/build.mjs" "$@"
