#!/usr/bin/env bash
# Build the `ratecard` wheel, install it into the project's own virtual environment
# (target/python/venv) with the test extras, and run what CI runs for Python:
# ruff, the stub check (mypy.stubtest against the installed module), mypy on the package,
# and pytest (conformance vectors, properties, API and errors, frames, the notebook).
#
# Non-interactive and idempotent: the venv is created when missing (or always, with
# RATECARD_FRESH_VENV=1), the wheel is always rebuilt and reinstalled.
#
# Usage: scripts/test-python.sh [--install-only]   (--install-only: stop after installing the wheel)
#
# Env:
#   PYTHON               interpreter for the venv (default: python3, 3.10 or newer)
#   RATECARD_FRESH_VENV  1 = delete and recreate the venv first
#   PYTEST_ARGS          extra pytest arguments (e.g. "-k vectors")
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
PYTHON="${PYTHON:-python3}"
venv="$root/target/python/venv"
log() { echo "[test-python] $*"; }
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore

if [[ "${RATECARD_FRESH_VENV:-0}" == "1" ]]; then
    log "removing $venv"
    rm -rf "$venv"
fi
if [[ ! -x "$venv/bin/python" ]]; then
    log "creating $venv with $("$PYTHON" --version 2>&1)"
    mkdir -p "$(dirname "$venv")"
    "$PYTHON" -m venv "$venv"
fi
vpy="$venv/bin/python"
# The Spark tests need a Java runtime (pyspark's JVM); Debian's, when the machine has none.
if ! command -v java >/dev/null 2>&1; then
    log "installing a Java runtime (openjdk-17-jre-headless) for the Spark tests"
    sudo_=""; [[ "$(id -u)" != 0 ]] && sudo_="sudo"
    $sudo_ apt-get update -qq && $sudo_ apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless
fi
if ! "$vpy" -m maturin --version >/dev/null 2>&1; then
    log "installing maturin into the venv"
    "$vpy" -m pip install --quiet "maturin==1.16.0"
fi

PATH="$venv/bin:$PATH" PYTHON="$vpy" bash "$root/scripts/build-python.sh"
wheel="$(ls -1 "$root"/target/wheels/ratecard-*.whl | head -n 1)"
log "installing $wheel with the test extras"
"$vpy" -m pip install --quiet "${wheel}[test]"
"$vpy" -m pip install --quiet --force-reinstall --no-deps "$wheel"
if [[ "${1:-}" == "--install-only" ]]; then
    log "installed into $venv"
    exit 0
fi

log "ruff"
"$venv/bin/ruff" check --config bindings/python/pyproject.toml \
    bindings/python/python bindings/python/tests examples/notebooks examples/distributed scripts/bench-python.py scripts/bench-distributed.py

log "stubs: mypy.stubtest against the installed module"
# Run outside the source tree so that the installed package is the one checked.
(cd "$root/target/python" && "$vpy" -m mypy.stubtest ratecard)
log "mypy --strict on the package"
(cd "$root/target/python" && "$vpy" -m mypy --strict --no-incremental -p ratecard)

log "pytest"
# shellcheck disable=SC2086
"$vpy" -m pytest -q -p no:cacheprovider bindings/python/tests ${PYTEST_ARGS:-}
