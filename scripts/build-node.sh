#!/usr/bin/env bash
# Builds @ratecard/node (the napi-rs addon in bindings/node) into packages/node, ready for
# `npm install ./packages/node`:
#   - packages/node/ratecard.linux-x64-gnu.node  (the addon, loaded by the generated index.js)
#   - packages/node/npm/linux-x64-gnu/            (the same binary as its platform package)
#   - packages/node/index.js, index.d.ts          (napi-rs loader and raw types; git-ignored)
#   - packages/node/ratecard.js, ratecard.mjs     (the public API, CommonJS and its ESM entry, bundled
#     and ratecard.d.ts                            from packages/js with packages/node/host.mjs, and the
#                                                  declarations copied: scripts/build-js.sh; git-ignored)
# Needs Node >= 20.17 (for @napi-rs/cli 3) and cargo; installs @napi-rs/cli from packages/node's
# lock file. Idempotent; when nothing changed it takes a few seconds (napi rebuilds the crate's
# last unit to regenerate index.d.ts).
# Env: CARGO_BUILD_JOBS (default 2), CARGO_TARGET_DIR is ignored: the addon builds in target/node.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pkg="$root/packages/node"
log() { echo "[build-node] $*"; }
die() { echo "[build-node] ERROR: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node not found (Node.js >= 20.17 is needed to build; the package runs on >= 18)"
command -v npm >/dev/null 2>&1 || die "npm not found"
command -v cargo >/dev/null 2>&1 || die "cargo not found (a Rust toolchain is needed)"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=17)?0:1)' \
    || die "node $(node --version) is older than 20.17, which @napi-rs/cli 3 needs"

# @napi-rs/cli, exactly as locked; reinstalled only when the lock file changed.
stamp="$pkg/node_modules/.ratecard-lock-stamp"
if [[ ! -x "$pkg/node_modules/.bin/napi" || ! -f "$stamp" ]] || ! cmp -s "$pkg/package-lock.json" "$stamp"; then
    # `npm install` rather than `npm ci`: npm 11's ci rejects this lock file for lacking other
    # platforms' optional packages of @napi-rs/lzma; install still takes the locked versions.
    log "npm install in packages/node (@napi-rs/cli, from package-lock.json)"
    (cd "$pkg" && npm install --no-audit --no-fund --loglevel=error)
    cp "$pkg/package-lock.json" "$stamp"
fi

log "napi build --release (target/node, CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2})"
(
    cd "$pkg"
    # An absolute target dir: napi-derive writes the type definitions from the crate's directory.
    CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}" CARGO_TARGET_DIR="$root/target/node" \
        ./node_modules/.bin/napi build --platform --release --strip \
        --manifest-path ../../bindings/node/Cargo.toml --target-dir "$root/target/node" \
        --output-dir . --js index.js --dts index.d.ts
)
binary="$pkg/ratecard.linux-x64-gnu.node"
[[ -f "$binary" ]] || die "napi build produced no $binary"
mkdir -p "$pkg/npm/linux-x64-gnu"
cp "$binary" "$pkg/npm/linux-x64-gnu/"

bash "$root/scripts/build-js.sh" node

node -e "const r = require('$pkg'); if (typeof r.Engine !== 'function') process.exit(1); console.log('[build-node] @ratecard/node', r.version, 'loads')"
log "done: npm install $pkg"
