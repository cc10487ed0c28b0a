#!/usr/bin/env bash
# Set up everything needed to build the wasm-bindgen crate for wasm32-unknown-unknown.
#
#   1. a Rust toolchain that can build for wasm32-unknown-unknown:
#        debian route : Debian's rustc-web/cargo-web 1.96 + rust-web-src + lld, building
#                       std itself (RUSTC_BOOTSTRAP=1 -Zbuild-std; see docs/building.md).
#                       Tried first: building std is what makes the module small (std compiled
#                       for size, panics that trap at once; scripts/build-wasm.sh).
#        rustup route : `rustup target add wasm32-unknown-unknown`, where apt is not available
#                       (a larger module: the prebuilt std)
#   2. wasm-bindgen-cli, exactly $WASM_BINDGEN_VERSION (must equal the `wasm-bindgen` crate pin)
#   3. wasm-opt from the npm package binaryen@$BINARYEN_VERSION (warmed into the npx cache)
#
# Idempotent: each step is skipped when already done. After it, `source scripts/wasm-env.sh`
# (or `eval "$(scripts/wasm-env.sh)"`) tells a build which cargo/rustc/flags to use.
#
# Env:
#   WASM_BINDGEN_VERSION  wasm-bindgen(-cli) version (default below)
#   BINARYEN_VERSION      npm binaryen version providing wasm-opt (default below)
#   WASM_ROUTE            auto (default) | rustup | debian   -- force a toolchain route
#   RUSTUP_TARGET_TIMEOUT seconds to let `rustup target add` try (default 120)
#   SKIP_WASM_OPT=1       do not warm binaryen/wasm-opt
#   WASM_BINDGEN_CLI_LOCKED=0  install wasm-bindgen-cli without --locked (needed for 0.2.130,
#                         whose Cargo.lock pins webpki-roots 1.0.11, which crates.io does not serve)
set -euo pipefail

WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-0.2.129}"
BINARYEN_VERSION="${BINARYEN_VERSION:-132.0.0}"
WASM_ROUTE="${WASM_ROUTE:-auto}"
RUSTUP_TARGET_TIMEOUT="${RUSTUP_TARGET_TIMEOUT:-120}"
TARGET=wasm32-unknown-unknown
DEBIAN_PKGS=(rustc-web cargo-web rust-web-src lld)

export DEBIAN_FRONTEND=noninteractive
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# Run from the repo root so a rust-toolchain file there (if any) picks the rustup toolchain.
cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { echo "[setup-wasm] $*"; }
die() { echo "[setup-wasm] ERROR: $*" >&2; exit 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }

case "$WASM_ROUTE" in auto|rustup|debian) ;; *) die "WASM_ROUTE must be auto, rustup or debian (got '$WASM_ROUTE')";; esac

rustup_has_target() {
    command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx "$TARGET"
}

pkg_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

# ---------------------------------------------------------------------------------------------
# 1. toolchain: the build-std route first (only it builds the size-first module: std compiled
#    for size, panics that trap at once), the rustup target where apt cannot install it.
route=""
debian_installed() {
    local p
    for p in "${DEBIAN_PKGS[@]}"; do pkg_installed "$p" || return 1; done
}
can_apt() {
    command -v apt-get >/dev/null 2>&1 && { [[ $(id -u) -eq 0 ]] || sudo -n true 2>/dev/null; }
}
if [[ "$WASM_ROUTE" != rustup ]]; then
    if debian_installed; then
        log "debian route: ${DEBIAN_PKGS[*]} already installed"
        route=debian
    elif can_apt; then
        missing=()
        for p in "${DEBIAN_PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
        log "debian route: installing ${missing[*]}"
        if as_root apt-get update -q && as_root apt-get install -y -q "${missing[@]}"; then
            route=debian
        else
            log "apt-get could not install ${missing[*]}"
        fi
    else
        log "debian route: apt-get not available (or not root)"
    fi
    [[ -z "$route" && "$WASM_ROUTE" == debian ]] && die "WASM_ROUTE=debian but ${DEBIAN_PKGS[*]} could not be installed"
fi

if [[ "$route" == debian ]]; then
    [[ -x /usr/bin/cargo && -x /usr/bin/rustc ]] || die "/usr/bin/cargo or /usr/bin/rustc missing after install"
    command -v wasm-ld >/dev/null 2>&1 || die "wasm-ld not on PATH (package lld)"
    sysroot="$(/usr/bin/rustc --print sysroot)"
    [[ -d "$sysroot/lib/rustlib/src/rust/library" ]] || die "no std sources under $sysroot/lib/rustlib/src (package rust-web-src)"
    log "debian toolchain: $(/usr/bin/rustc --version), $(/usr/bin/cargo --version), $(wasm-ld --version | head -1)"
else
    if rustup_has_target; then
        log "rustup already has $TARGET ($(rustc --version))"
        route=rustup
    elif command -v rustup >/dev/null 2>&1; then
        log "trying: rustup target add $TARGET (timeout ${RUSTUP_TARGET_TIMEOUT}s)"
        if timeout "$RUSTUP_TARGET_TIMEOUT" rustup target add "$TARGET" </dev/null && rustup_has_target; then
            log "rustup target $TARGET installed"
            route=rustup
        fi
    fi
    [[ -n "$route" ]] || die "no wasm32 toolchain: neither Debian's rustc-web (apt) nor rustup's $TARGET target"
    log "rustup route: the module builds, but larger (no build-std: see scripts/build-wasm.sh)"
fi

# ---------------------------------------------------------------------------------------------
# 2. wasm-bindgen-cli (host tool, built with the default cargo on PATH)
want="wasm-bindgen $WASM_BINDGEN_VERSION"
have="$(wasm-bindgen --version 2>/dev/null || true)"
if [[ "$have" == "$want" ]]; then
    log "wasm-bindgen-cli $WASM_BINDGEN_VERSION already installed at $(command -v wasm-bindgen)"
else
    [[ -n "$have" ]] && log "found '$have' at $(command -v wasm-bindgen), want $WASM_BINDGEN_VERSION"
    locked=(--locked)
    [[ "${WASM_BINDGEN_CLI_LOCKED:-1}" == 0 ]] && locked=()
    log "cargo install wasm-bindgen-cli --version $WASM_BINDGEN_VERSION ${locked[*]} (with $(cargo --version); ~2-4 min cold)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" "${locked[@]}" --force
    hash -r
    have="$(wasm-bindgen --version 2>/dev/null || true)"
    [[ "$have" == "$want" ]] || die "after install, 'wasm-bindgen --version' prints '$have' (is ~/.cargo/bin on PATH?)"
    log "installed $have at $(command -v wasm-bindgen)"
fi

# ---------------------------------------------------------------------------------------------
# 3. wasm-opt (npm binaryen) -- warm the npx cache so later builds need no download
if [[ "${SKIP_WASM_OPT:-0}" != 1 ]]; then
    if command -v npx >/dev/null 2>&1; then
        v="$(npx --yes -p "binaryen@$BINARYEN_VERSION" wasm-opt --version </dev/null)" \
            || die "npx -p binaryen@$BINARYEN_VERSION wasm-opt --version failed"
        log "wasm-opt ready via npx: $v"
    else
        log "WARNING: npx not found; wasm-opt (npm binaryen) not available -- install Node.js/npm"
    fi
fi

log "done: route=$route. Build with:"
bash scripts/wasm-env.sh | sed 's/^/    /'
