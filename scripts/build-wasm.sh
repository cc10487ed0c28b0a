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
#   5. scripts/build-js.sh wasm: packages/wasm/ratecard.js bundled from the one JavaScript source
#      (packages/js) with packages/wasm/host.mjs, index.d.ts copied from packages/js/index.d.ts,
#      schema.js written from core/src/catalog.schema.json (all generated, git-ignored).
#
# Two modules are built (see build_module below): the default one, size first, for browsers,
# and pkg/ratecard_wasm_fast_bg.wasm, with the hot crates compiled for speed, which the Node
# entry (node.js) loads.
#
# Fast when nothing changed. Env: SKIP_SETUP=1 skips step 1; WASM_OPT=0 skips step 4;
# WASM_OPT_LEVEL=z (default) | s | 2 | 3 picks rustc's opt-level (and wasm-opt's) for the default
# module; WASM_HOT_OPT=2|3 compiles its hot crates (ratecard, ratecard-js-host, rust_decimal) at that level;
# WASM_FAST_LEVEL=2 (default) | 3 | s is the fast module's hot-crate level; WASM_FAST=0 skips
# the fast module (node.js then falls back to the default one). WASM_STD_OPT=3 (build-std route
# only) compiles std's crates (core, alloc, std, the allocator) of the default module at that
# opt-level: single quotes about 15% faster for about 4.7 KB gzipped more (BENCHMARKS.md); the
# fast module always builds them at its level.
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
level="${WASM_OPT_LEVEL:-z}"
case "$level" in z|s|2|3) ;; *) echo "WASM_OPT_LEVEL must be z, s, 2 or 3" >&2; exit 2;; esac
fast="${WASM_FAST_LEVEL:-2}"
case "$fast" in s|2|3) ;; *) echo "WASM_FAST_LEVEL must be s, 2 or 3" >&2; exit 2;; esac

# Two modules from the same code, behind the same JavaScript glue:
#   pkg/ratecard_wasm_bg.wasm       for browsers and bundlers: size first (opt-level z)
#   pkg/ratecard_wasm_fast_bg.wasm  for Node (the package's "node" entry): the crates a quote
#                                   spends its time in (ratecard, ratecard-js-host, rust_decimal) at opt-level 2,
#                                   about twice as fast a quote for ~25 KB more (BENCHMARKS.md)
# build_module PROFILE RUSTC_LEVEL HOT_LEVEL(or "") STD_LEVEL(or "") WASM_OPT_LEVEL OUT_NAME
build_module() {
    local profile="$1" rustc_level="$2" hot="$3" std_level="$4" opt="$5" name="$6"
    [[ "$rustc_level" == z || "$rustc_level" == s ]] && rustc_level="\"$rustc_level\""
    local out="$RATECARD_WASM_TARGET_DIR/$RATECARD_WASM_TARGET/$profile/$crate.wasm"
    # Where std is built (the debian route's -Zbuild-std), it is built for the module: panics
    # trap at once (panic=immediate-abort: no panic messages, locations or formatting; the core
    # never panics on input, see core/src/lib.rs) and, for the size levels, std's
    # optimize_for_size (smaller sorts, number formatting and escapes, same results).
    local std_flags=()
    if [[ "$RATECARD_WASM_FLAGS" == *-Zbuild-std* ]]; then
        std_flags+=(--config "target.$RATECARD_WASM_TARGET.rustflags=[\"-Zunstable-options\", \"-Cpanic=immediate-abort\"]")
        if [[ -n "$std_level" ]]; then
            for c in core alloc std dlmalloc compiler_builtins hashbrown; do
                std_flags+=(--config "profile.$profile.package.$c.opt-level=$std_level")
            done
        elif [[ "$2" == z || "$2" == s ]]; then
            std_flags+=(-Zbuild-std-features=optimize_for_size)
        fi
    fi
    local hot_flags=()
    if [[ -n "$hot" ]]; then
        for c in ratecard ratecard-js-host rust_decimal; do
            hot_flags+=(--config "profile.$profile.package.$c.opt-level=$hot")
        done
    fi
    log "cargo build $name ($RATECARD_WASM_ROUTE route, opt-level $2${hot:+, hot crates $hot})"
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
        "${hot_flags[@]}"

    local final="$pkg/${name}_bg.wasm"
    local stamp="$pkg/.$name.stamp"
    # What the module was built with: a WASM_OPT=0 build must not pass for an optimized one.
    local want="$2/$hot/$std_level/$opt/${WASM_OPT:-1}"
    if [[ -f "$final" && "$final" -nt "$out" && "$final" -nt "$0" && "$(cat "$stamp" 2>/dev/null)" == "$want" ]]; then
        log "$name is up to date"
        return
    fi
    log "wasm-bindgen $(wasm-bindgen --version | cut -d' ' -f2) --target web ($name)"
    local tmp
    tmp="$(mktemp -d)"
    wasm-bindgen --target web --no-typescript --out-dir "$tmp" --out-name "$crate" "$out"
    if [[ "${WASM_OPT:-1}" != 0 ]]; then
        local passes=("-O$opt")
        [[ "$opt" == z || "$opt" == s ]] && passes=(--flatten --rereloop "-O$opt" "-O$opt")
        log "wasm-opt ${passes[*]} ($name)"
        # shellcheck disable=SC2086
        $RATECARD_WASM_OPT $RATECARD_WASM_OPT_FLAGS "${passes[@]}" --strip-debug --strip-producers \
            -o "$tmp/${crate}_bg.opt" "$tmp/${crate}_bg.wasm" </dev/null
        mv "$tmp/${crate}_bg.opt" "$tmp/${crate}_bg.wasm"
    fi
    mkdir -p "$pkg"
    if [[ "$name" == "$crate" ]]; then
        cp "$tmp/$crate.js" "$pkg/$crate.js"
    elif ! cmp -s "$tmp/$crate.js" "$pkg/$crate.js"; then
        # Both modules are driven by one glue file: they must export and import the same.
        echo "[build-wasm] the glue of $name differs from the default module's" >&2
        exit 1
    fi
    mv "$tmp/${crate}_bg.wasm" "$final"
    rm -rf "$tmp"
    echo "$want" >"$stamp"
}

build_module wasm "$level" "${WASM_HOT_OPT:-}" "${WASM_STD_OPT:-}" "$level" "$crate"
if [[ "${WASM_FAST:-1}" != 0 ]]; then
    build_module wasm-fast z "$fast" "$fast" "$fast" "${crate}_fast"
fi

bash scripts/build-js.sh wasm
for name in "$crate" "${crate}_fast"; do
    final="$pkg/${name}_bg.wasm"
    [[ -f "$final" ]] || continue
    raw=$(wc -c <"$final")
    gz=$(gzip -9 -c "$final" | wc -c)
    log "done: packages/wasm/pkg/${name}_bg.wasm $raw bytes, $gz gzipped"
done
