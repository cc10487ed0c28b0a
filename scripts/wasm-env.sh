#!/usr/bin/env bash
# Tell a build which cargo/rustc/flags build ratecard for wasm32-unknown-unknown.
#
#   source scripts/wasm-env.sh          # exports the RATECARD_WASM_* variables
#   eval "$(scripts/wasm-env.sh)"       # same, from a non-bash shell / Makefile / justfile
#   scripts/wasm-env.sh                 # prints the `export` lines
#
# Exports:
#   RATECARD_WASM_ROUTE        rustup | debian
#   RATECARD_WASM_CARGO        cargo to run
#   RATECARD_WASM_RUSTC        rustc that cargo must use (also exported as RUSTC in RATECARD_WASM_ENV)
#   RATECARD_WASM_FLAGS        extra cargo build arguments (e.g. -Zbuild-std=std,panic_abort)
#   RATECARD_WASM_ENV          VAR=VALUE words to prefix with `env` when running the cargo
#   RATECARD_WASM_TARGET       wasm32-unknown-unknown
#   RATECARD_WASM_TARGET_DIR   a target dir of its own (relative to the workspace root)
#   RATECARD_WASM_BINDGEN_VERSION  the wasm-bindgen version setup-wasm.sh installs (pin the crate to "=" it)
#   RATECARD_WASM_OPT          command that runs wasm-opt (npm binaryen via npx)
#   RATECARD_WASM_OPT_FLAGS    feature flags wasm-opt needs for what rustc emits
#
# A build then does, e.g.:
#   env $RATECARD_WASM_ENV $RATECARD_WASM_CARGO build --release --target $RATECARD_WASM_TARGET \
#       $RATECARD_WASM_FLAGS --target-dir $RATECARD_WASM_TARGET_DIR -p <crate>
#   wasm-bindgen --target web --out-dir pkg $RATECARD_WASM_TARGET_DIR/wasm32-unknown-unknown/release/<crate>.wasm
#   $RATECARD_WASM_OPT $RATECARD_WASM_OPT_FLAGS -Oz -o out.wasm pkg/<crate>_bg.wasm
#
# WASM_ROUTE=rustup|debian forces a route (default: Debian's rustc-web with build-std when it is
# installed, else rustup's wasm32 target). Versions default to the ones in setup-wasm.sh.

_rc_wasm_env() {
    local here script_dir route sysroot
    script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    here="$(cd "$script_dir/.." && pwd)"

    # Pull the pinned versions out of setup-wasm.sh so there is one place to change them.
    local wbv bnv
    # shellcheck disable=SC2016  # the $ in these patterns is literal text to match
    wbv="${WASM_BINDGEN_VERSION:-$(sed -n 's/^WASM_BINDGEN_VERSION="\${WASM_BINDGEN_VERSION:-\([^}]*\)}"$/\1/p' "$script_dir/setup-wasm.sh")}"
    # shellcheck disable=SC2016
    bnv="${BINARYEN_VERSION:-$(sed -n 's/^BINARYEN_VERSION="\${BINARYEN_VERSION:-\([^}]*\)}"$/\1/p' "$script_dir/setup-wasm.sh")}"

    route="${WASM_ROUTE:-auto}"
    if [[ "$route" == auto ]]; then
        # build-std first: it makes the smaller module (scripts/build-wasm.sh).
        if [[ -x /usr/bin/cargo && -x /usr/bin/rustc ]] && command -v wasm-ld >/dev/null 2>&1 &&
            sysroot="$(/usr/bin/rustc --print sysroot 2>/dev/null)" &&
            [[ -d "$sysroot/lib/rustlib/src/rust/library" ]]; then
            route=debian
        elif command -v rustup >/dev/null 2>&1 &&
            (cd "$here" && rustup target list --installed 2>/dev/null) | grep -qx wasm32-unknown-unknown; then
            route=rustup
        else
            echo "wasm-env.sh: no wasm32 toolchain found; run scripts/setup-wasm.sh" >&2
            return 1
        fi
    fi

    case "$route" in
    rustup)
        RATECARD_WASM_CARGO=cargo
        RATECARD_WASM_RUSTC=rustc
        RATECARD_WASM_FLAGS=""
        RATECARD_WASM_ENV=""
        ;;
    debian)
        RATECARD_WASM_CARGO=/usr/bin/cargo
        RATECARD_WASM_RUSTC=/usr/bin/rustc
        RATECARD_WASM_FLAGS="-Zbuild-std=std,panic_abort"
        RATECARD_WASM_ENV="RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc RUSTDOC=/usr/bin/rustdoc CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld"
        ;;
    *)
        echo "wasm-env.sh: WASM_ROUTE must be auto, rustup or debian (got '$route')" >&2
        return 1
        ;;
    esac
    RATECARD_WASM_ROUTE="$route"
    RATECARD_WASM_TARGET=wasm32-unknown-unknown
    RATECARD_WASM_TARGET_DIR=target/wasm
    RATECARD_WASM_BINDGEN_VERSION="$wbv"
    RATECARD_WASM_OPT="npx --yes -p binaryen@$bnv wasm-opt"
    # What rustc >= 1.87 + wasm-bindgen emit (checked with binaryen 132 on a module whose
    # target_features section was stripped; with that section present wasm-opt detects them itself).
    RATECARD_WASM_OPT_FLAGS="--enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-multivalue --enable-reference-types --enable-call-indirect-overlong"
    export RATECARD_WASM_ROUTE RATECARD_WASM_CARGO RATECARD_WASM_RUSTC RATECARD_WASM_FLAGS \
        RATECARD_WASM_ENV RATECARD_WASM_TARGET RATECARD_WASM_TARGET_DIR \
        RATECARD_WASM_BINDGEN_VERSION RATECARD_WASM_OPT RATECARD_WASM_OPT_FLAGS
}

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # sourced: do not change the caller's shell options
    _rc_wasm_env
    _rc_wasm_env_status=$?
    unset -f _rc_wasm_env
    return $_rc_wasm_env_status
fi

set -euo pipefail
_rc_wasm_env
for v in RATECARD_WASM_ROUTE RATECARD_WASM_CARGO RATECARD_WASM_RUSTC RATECARD_WASM_FLAGS \
    RATECARD_WASM_ENV RATECARD_WASM_TARGET RATECARD_WASM_TARGET_DIR \
    RATECARD_WASM_BINDGEN_VERSION RATECARD_WASM_OPT RATECARD_WASM_OPT_FLAGS; do
    printf 'export %s=%q\n' "$v" "${!v}"
done
