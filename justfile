# ratecard: one command per job. `just --list` shows them all.
set shell := ["bash", "-euo", "pipefail", "-c"]

# The main job: quote the bundled events against the bundled catalog, as a table.
demo:
    cargo run --quiet --release -p ratecard-cli -- quote examples/catalog.json examples/events.json --in USD --in CREDIT --format table

# Everything CI runs: formatting, lints, generated-file drift, every test suite of every face.
test: check test-core test-wasm test-python test-node
    @echo "all suites passed"

# Format check and clippy with warnings as errors, on the whole workspace.
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# The Rust core and the CLI: unit, conformance-vector, property and command-line tests.
test-core:
    cargo test -p ratecard -p ratecard-cli

# WebAssembly: toolchain, build into packages/wasm, vectors, the page in headless Chromium,
# and a Vite production build of an app that uses the package.
test-wasm:
    bash scripts/test-wasm.sh
    bash scripts/test-vite.sh

build-wasm:
    bash scripts/build-wasm.sh

# Serve the price-preview page on localhost.
demo-web:
    bash scripts/demo-web.sh

# Python: wheel into target/wheels, fresh venv, ruff, stub check, pytest, the notebook.
test-python:
    bash scripts/test-python.sh

build-python:
    bash scripts/build-python.sh

# Node addon: build into packages/node, vectors, errors, ratecard-check, generated-file drift,
# and tests/js/interchangeable.test.mjs run against both @ratecard/node and @ratecard/wasm.
test-node:
    bash scripts/test-node.sh

build-node:
    bash scripts/build-node.sh

# Benchmarks (not part of `just test`): see BENCHMARKS.md.
bench-core:
    cargo bench -p ratecard --bench quote

bench-wasm:
    bash scripts/bench-wasm.sh

bench-python:
    bash scripts/bench-python.sh

bench-node:
    bash scripts/build-node.sh && node scripts/bench-node.mjs

bench: bench-core bench-wasm bench-python bench-node

# Fuzz parse, validate and quote with cargo-fuzz (nightly; not in CI). SECONDS bounds the run.
fuzz SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    cd core/fuzz && cargo +nightly fuzz run parse_validate_quote corpus/parse_validate_quote -- -max_total_time={{SECONDS}}
