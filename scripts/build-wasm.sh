#!/usr/bin/env bash
# Build @ratecard/wasm into packages/wasm (ready for `npm install ./packages/wasm`).
#
#   1. scripts/setup-wasm.sh: a wasm32 toolchain (rustup target, else Debian rustc-web with
#      build-std), the exactly matching wasm-bindgen-cli, wasm-opt from npm binaryen. Idempotent.
#   2. cargo build of bindings/wasm in a wasm-only size profile, passed with --config so the
#      workspace's native profiles (Python, Node, CLI builds) stay untouched:
#      opt-level "z", fat LTO, one codegen unit, panic = "abort".
#   3. wasm-bindgen --target web into packages/wasm/pkg/ (generated, not committed).
#   4. wasm-opt over the module: for the size levels `--flatten --rereloop -Oz -Oz` (the
#      control flow rebuilt, then shrunk twice: about 1.3 KB gzipped less than `-Oz`, same speed).
#   5. packages/wasm/index.d.ts refreshed from packages/types/index.d.ts, packages/wasm/schema.js
#      from core/src/catalog.schema.json (committed copies; the test run fails if they drift).
#
# Fast when nothing changed. Env: SKIP_SETUP=1 skips step 1; WASM_OPT=0 skips step 4;
# WASM_OPT_LEVEL=z (default: smallest) | s | 2 | 3 (faster quotes, a larger module; see
# BENCHMARKS.md) picks rustc's opt-level and the matching wasm-opt level.
# WASM_HOT_OPT=3 compiles only the hot crates (ratecard, rust_decimal) at that opt-level and the
# rest at WASM_OPT_LEVEL: about opt-level 3's speed for less size (see BENCHMARKS.md).
# WASM_STD_OPT=3 (build-std route only) compiles std's crates (core, alloc, std, the allocator)
# at that opt-level: single quotes as fast as with rustup's prebuilt std, for about 4.7 KB
# gzipped more (BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
log() { echo "[build-wasm] $*"; }

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if [[ "${SKIP_SETUP:-0}" != 1 ]]; then
    bash scripts/setup-wasm.sh
fi
# shellcheck source=scripts/wasm-env.sh
source scripts/wasm-env.sh

crate=ratecard_wasm
pkg="$root/packages/wasm/pkg"
profile=wasm
level="${WASM_OPT_LEVEL:-z}"
case "$level" in z|s|2|3) ;; *) echo "WASM_OPT_LEVEL must be z, s, 2 or 3" >&2; exit 2;; esac
[[ "$level" == z || "$level" == s ]] && rustc_level="\"$level\"" || rustc_level="$level"
out="$RATECARD_WASM_TARGET_DIR/$RATECARD_WASM_TARGET/$profile/$crate.wasm"

# Where std is built (the debian route's -Zbuild-std), it is built for the module: panics trap
# at once (panic=immediate-abort: no panic messages, locations or formatting; the core never
# panics on input, see core/src/lib.rs) and, for the size levels, std's optimize_for_size
# (smaller sorts, number formatting and escapes, same results). BENCHMARKS.md has the sizes.
std_flags=()
if [[ "$RATECARD_WASM_FLAGS" == *-Zbuild-std* ]]; then
    std_flags+=(--config "target.$RATECARD_WASM_TARGET.rustflags=[\"-Zunstable-options\", \"-Cpanic=immediate-abort\"]")
    [[ "$level" == z || "$level" == s ]] && std_flags+=(-Zbuild-std-features=optimize_for_size)
    if [[ -n "${WASM_STD_OPT:-}" ]]; then
        for crate_name in core alloc std dlmalloc compiler_builtins hashbrown; do
            std_flags+=(--config "profile.$profile.package.$crate_name.opt-level=$WASM_STD_OPT")
        done
    fi
fi

log "cargo build ($RATECARD_WASM_ROUTE route, profile $profile, opt-level $level${std_flags:+, std for size})"
# shellcheck disable=SC2086  # RATECARD_WASM_ENV / _FLAGS are word lists by design
env $RATECARD_WASM_ENV "$RATECARD_WASM_CARGO" build -j "${CARGO_BUILD_JOBS:-2}" \
    --target "$RATECARD_WASM_TARGET" $RATECARD_WASM_FLAGS "${std_flags[@]}" \
    --target-dir "$RATECARD_WASM_TARGET_DIR" -p ratecard-wasm --lib \
    --profile "$profile" \
    --config "profile.$profile.inherits=\"release\"" \
    --config "profile.$profile.opt-level=$rustc_level" \
    --config "profile.$profile.lto=true" \
    --config "profile.$profile.codegen-units=1" \
    --config "profile.$profile.panic=\"abort\"" \
    --config "profile.$profile.debug=false" \
    ${WASM_HOT_OPT:+--config "profile.$profile.package.ratecard.opt-level=$WASM_HOT_OPT" --config "profile.$profile.package.rust_decimal.opt-level=$WASM_HOT_OPT"}

final="$pkg/${crate}_bg.wasm"
stamp="$pkg/.opt-level"
# What the package was built with: a WASM_OPT=0 build must not pass for an optimized one.
built="$level wasm-opt=${WASM_OPT:-1}"
if [[ -f "$final" && "$final" -nt "$out" && "$final" -nt "$0" && "$(cat "$stamp" 2>/dev/null)" == "$built" ]]; then
    log "packages/wasm/pkg is up to date"
else
    log "wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2) --target web"
    rm -rf "$pkg"
    wasm-bindgen --target web --no-typescript --out-dir "$pkg" --out-name "$crate" "$out"
    if [[ "${WASM_OPT:-1}" != 0 ]]; then
        passes=("-O$level")
        [[ "$level" == z || "$level" == s ]] && passes=(--flatten --rereloop "-O$level" "-O$level")
        log "wasm-opt ${passes[*]}"
        # shellcheck disable=SC2086
        $RATECARD_WASM_OPT $RATECARD_WASM_OPT_FLAGS "${passes[@]}" --strip-debug --strip-producers \
            -o "$final.opt" "$final" </dev/null
        mv "$final.opt" "$final"
    fi
    echo "$built" >"$stamp"
fi

cp packages/types/index.d.ts packages/wasm/index.d.ts
node scripts/sync-schema.mjs
raw=$(wc -c <"$final")
gz=$(gzip -9 -c "$final" | wc -c)
log "done: packages/wasm/pkg/${crate}_bg.wasm $raw bytes, $gz gzipped"
