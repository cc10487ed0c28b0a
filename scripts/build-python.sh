#!/usr/bin/env bash
# Build the `ratecard` Python wheel (pyo3, abi3-py310) into target/wheels/.
#
# Installs maturin first if it is missing (scripts/setup-python.sh). Uses its own cargo target
# directory (target/python) so it never fights other builds for the lock.
#
# Env:
#   PYTHON            interpreter maturin builds for / installs with (default: python3)
#   CARGO_BUILD_JOBS  parallel rustc jobs (default 2: these machines have two cores)
#   RATECARD_PROFILE  release (default) or dev
#   RATECARD_LTO      fat (default for release: whole-program optimisation across the core,
#                     pyo3 and the binding, one codegen unit; about 7% off a single quote) or off
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3}"
export CARGO_TARGET_DIR="$root/target/python"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-2}"
profile="${RATECARD_PROFILE:-release}"
if [[ "$profile" == "release" && "${RATECARD_LTO:-fat}" != "off" ]]; then
    export CARGO_PROFILE_RELEASE_LTO="${RATECARD_LTO:-fat}" CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
fi

log() { echo "[build-python] $*"; }

maturin_cmd=()
if command -v maturin >/dev/null 2>&1; then
    maturin_cmd=(maturin)
elif "$PYTHON" -m maturin --version >/dev/null 2>&1; then
    maturin_cmd=("$PYTHON" -m maturin)
else
    log "maturin not found; installing it"
    PYTHON="$PYTHON" bash "$root/scripts/setup-python.sh"
    if command -v maturin >/dev/null 2>&1; then maturin_cmd=(maturin); else maturin_cmd=("$PYTHON" -m maturin); fi
fi
log "using $("${maturin_cmd[@]}" --version) for $("$PYTHON" --version 2>&1)"

flags=(--manifest-path bindings/python/Cargo.toml --out "$root/target/wheels" --interpreter "$PYTHON")
if [[ "$profile" == "release" ]]; then flags+=(--release); fi
mkdir -p "$root/target/wheels"
# Old wheels of this package would make "the newest wheel" ambiguous for installers.
rm -f "$root"/target/wheels/ratecard-*.whl
"${maturin_cmd[@]}" build "${flags[@]}"
ls -1 "$root"/target/wheels/ratecard-*.whl
