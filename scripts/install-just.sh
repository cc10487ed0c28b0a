#!/usr/bin/env bash
# Make the `just` task runner available on PATH.
#
# Idempotent: does nothing when `just` already runs (and matches RUST_JUST_VERSION
# if that is set). Route: PyPI `rust-just` via pip (preferred), then the npm
# package `rust-just`, then `cargo install just` (slow, compiles from source).
# If the installed binary is not on PATH it is symlinked into /usr/local/bin
# (override with JUST_LINK_DIR).
#
# Env:
#   RUST_JUST_VERSION  pin a version (e.g. 1.59.0); empty = any / latest
#   PYTHON             python interpreter to use (default: python3)
#   JUST_LINK_DIR      where to symlink just if not on PATH (default /usr/local/bin)
set -euo pipefail

RUST_JUST_VERSION="${RUST_JUST_VERSION:-1.59.0}"
PYTHON="${PYTHON:-python3}"
JUST_LINK_DIR="${JUST_LINK_DIR:-/usr/local/bin}"

log() { echo "[install-just] $*"; }

have_just() {
    local v
    v="$(just --version 2>/dev/null)" || return 1
    if [[ -n "$RUST_JUST_VERSION" && "$v" != "just $RUST_JUST_VERSION" ]]; then
        log "found $v at $(command -v just), want $RUST_JUST_VERSION"
        return 1
    fi
    return 0
}

if have_just; then
    log "already installed: $(just --version) at $(command -v just) -- nothing to do"
    exit 0
fi

# Put a binary on PATH by symlinking it into JUST_LINK_DIR (if needed).
link_onto_path() {
    local bin="$1"
    hash -r
    if have_just; then
        return 0
    fi
    mkdir -p "$JUST_LINK_DIR"
    log "linking $bin -> $JUST_LINK_DIR/just"
    ln -sf "$bin" "$JUST_LINK_DIR/just"
    hash -r
}

spec="rust-just"
[[ -n "$RUST_JUST_VERSION" ]] && spec="rust-just==$RUST_JUST_VERSION"

installed=""
# 1) PyPI
if command -v "$PYTHON" >/dev/null 2>&1 && "$PYTHON" -m pip --version >/dev/null 2>&1; then
    log "pip install $spec (with $("$PYTHON" -m pip --version | cut -d' ' -f1-2), $(command -v "$PYTHON"))"
    pip_ok=0
    if PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
        "$PYTHON" -m pip install --no-input --quiet "$spec"; then
        pip_ok=1
    else
        # Debian's system python refuses plain pip installs (PEP 668).
        log "pip install failed; retrying with --break-system-packages"
        if PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
            "$PYTHON" -m pip install --no-input --quiet --break-system-packages "$spec"; then
            pip_ok=1
        fi
    fi
    if [[ $pip_ok == 1 ]]; then
        scripts_dir="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
        # pyenv shims only appear after a rehash
        if command -v pyenv >/dev/null 2>&1; then pyenv rehash 2>/dev/null || true; fi
        if [[ -x "$scripts_dir/just" ]]; then
            log "pip put the binary at $scripts_dir/just"
            link_onto_path "$scripts_dir/just"
            have_just && installed="pip"
        fi
    fi
fi

# 2) npm registry
if [[ -z "$installed" ]] && command -v npm >/dev/null 2>&1; then
    npm_spec="rust-just"
    [[ -n "$RUST_JUST_VERSION" ]] && npm_spec="rust-just@$RUST_JUST_VERSION"
    log "falling back to: npm install -g $npm_spec"
    if npm install -g --no-fund --no-audit "$npm_spec"; then
        link_onto_path "$(npm prefix -g)/bin/just"
        have_just && installed="npm"
    fi
fi

# 3) crates.io (compiles; a few minutes)
if [[ -z "$installed" ]] && command -v cargo >/dev/null 2>&1; then
    cargo_ver=()
    [[ -n "$RUST_JUST_VERSION" ]] && cargo_ver=(--version "$RUST_JUST_VERSION")
    log "falling back to: cargo install just ${cargo_ver[*]} --locked"
    cargo install just "${cargo_ver[@]}" --locked
    link_onto_path "${CARGO_HOME:-$HOME/.cargo}/bin/just"
    have_just && installed="cargo"
fi

if [[ -z "$installed" ]]; then
    log "ERROR: could not install just (tried pip, npm, cargo)" >&2
    exit 1
fi

path="$(command -v just)"
log "installed via $installed: $(just --version)"
log "on PATH at: $path -> $(readlink -f "$path")"
