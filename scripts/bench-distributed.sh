#!/usr/bin/env bash
# Benchmark quote_frame from pandas, across threads, on Dask and on Spark local[2], and print the
# "Beyond one machine" section of BENCHMARKS.md. Env: BENCH_ROWS (default 300000), BENCH_BIG_ROWS
# (default 1000000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/test-python.sh" --install-only
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-1}"
exec "$root/target/python/venv/bin/python" -W ignore "$root/scripts/bench-distributed.py" "$@"
