#!/usr/bin/env bash
# Benchmark the `ratecard` wheel against a hand-rolled pure-Python `decimal` quoter, in one
# process, and print the "Python wheel" section of BENCHMARKS.md.
#
# Usage: scripts/bench-python.sh [--write]   (--write: replace that section in BENCHMARKS.md)
# Env:   BENCH_ROWS (frame rows, default 1000000), BENCH_EVENTS (single-quote loop, default 200000)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/test-python.sh" --install-only
# numpy (via pandas/pyarrow) would otherwise keep OpenBLAS threads spinning on these 2 cores.
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
exec "$root/target/python/venv/bin/python" "$root/scripts/bench-python.py" "$@"
