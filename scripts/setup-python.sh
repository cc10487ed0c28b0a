#!/usr/bin/env bash
# Install maturin (PyPI) to build the pyo3 (abi3-py310) Python wheel.
#
# Idempotent: skipped when `maturin --version` already prints $MATURIN_VERSION.
# If pip's scripts dir is not on PATH, maturin is symlinked into /usr/local/bin.
#
# Env:
#   MATURIN_VERSION  exact version to install (default below; empty = latest 1.x)
#   PYTHON           interpreter whose pip installs maturin (default: python3)
#   LINK_DIR         where to symlink maturin if not on PATH (default /usr/local/bin)
set -euo pipefail

MATURIN_VERSION="${MATURIN_VERSION:-1.16.0}"
PYTHON="${PYTHON:-python3}"
LINK_DIR="${LINK_DIR:-/usr/local/bin}"

log() { echo "[setup-python] $*"; }
die() { echo "[setup-python] ERROR: $*" >&2; exit 1; }

have_maturin() {
    local v
    v="$(maturin --version 2>/dev/null)" || return 1
    if [[ -n "$MATURIN_VERSION" ]]; then
        [[ "$v" == "maturin $MATURIN_VERSION" ]] || { log "found $v at $(command -v maturin), want $MATURIN_VERSION"; return 1; }
    else
        [[ "$v" == "maturin 1."* ]] || { log "found $v, want 1.x"; return 1; }
    fi
}

command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found"
log "python: $("$PYTHON" --version 2>&1) at $(command -v "$PYTHON")"

if have_maturin; then
    log "already installed: $(maturin --version) at $(command -v maturin) -- nothing to do"
    exit 0
fi

spec="maturin>=1,<2"
[[ -n "$MATURIN_VERSION" ]] && spec="maturin==$MATURIN_VERSION"
pip_install() {
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore \
        "$PYTHON" -m pip install --no-input --quiet "$@"
}
log "pip install $spec"
if ! pip_install "$spec"; then
    # Debian's system python refuses plain pip installs (PEP 668)
    log "pip install failed; retrying with --break-system-packages"
    pip_install --break-system-packages "$spec"
fi

if command -v pyenv >/dev/null 2>&1; then pyenv rehash 2>/dev/null || true; fi
hash -r
scripts_dir="$("$PYTHON" -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
log "pip put maturin at $scripts_dir/maturin"
if ! have_maturin; then
    [[ -x "$scripts_dir/maturin" ]] || die "no maturin in $scripts_dir after pip install"
    mkdir -p "$LINK_DIR"
    log "linking $scripts_dir/maturin -> $LINK_DIR/maturin"
    ln -sf "$scripts_dir/maturin" "$LINK_DIR/maturin"
    hash -r
    have_maturin || die "maturin still not runnable from PATH"
fi

log "installed: $(maturin --version) at $(command -v maturin)"
if command -v cargo >/dev/null 2>&1; then
    log "cargo for wheel builds: $(cargo --version)"
else
    log "WARNING: cargo not on PATH; maturin needs a Rust toolchain"
fi
