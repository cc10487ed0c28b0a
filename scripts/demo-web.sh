#!/usr/bin/env bash
# Serve the price-preview page (examples/web) on localhost, building @ratecard/wasm first.
#   scripts/demo-web.sh [port]     (default 8080; then open http://127.0.0.1:PORT/examples/web/)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build-wasm.sh
exec node examples/web/serve.mjs "${1:-${PORT:-8080}}"
