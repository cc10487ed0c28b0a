# ratecard: one command per job. `just --list` shows them all.
set shell := ["bash", "-euo", "pipefail", "-c"]

# The main job: quote the bundled events against the bundled catalog, as a table.
demo:
    cargo run --quiet --release -p ratecard-cli -- quote examples/catalog.json examples/events.json --in USD --in CREDIT --format table

# Everything CI runs: formatting, lints, generated-file drift, every test suite of every face.
test: check test-core test-wasm test-python test-node test-docs
    @echo "all suites passed"

# Format check, clippy with warnings as errors on the whole workspace, the core's docs without
# a broken link, and a repository that stands alone (no build output or copies committed, no
# pointers outside it).
check:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --quiet -p ratecard --features arrow --no-deps
    bash scripts/check-repo.sh
    python3 scripts/gen-corpus.py --check
    python3 scripts/gen-wallet-vectors.py --check
    python3 scripts/gen-expression-vectors.py --check

# The Rust core, the CLI and the JavaScript hosts' shared crate: unit, vector, property and CLI tests.
test-core:
    cargo test -p ratecard -p ratecard-cli -p ratecard-js-host
    cargo test -p ratecard --features arrow --test frame
    cargo test -p ratecard --features arrow --doc frame

# WebAssembly: build into packages/wasm, vectors, the page in Chromium, a Vite production build.
test-wasm:
    bash scripts/test-wasm.sh
    bash scripts/test-vite.sh

# Build @ratecard/wasm into packages/wasm (sets up the wasm toolchain first).
build-wasm:
    bash scripts/build-wasm.sh

# Serve the price-preview page on localhost.
demo-web:
    bash scripts/demo-web.sh

# Python: wheel into target/wheels, fresh venv, ruff, stub check, pytest, the notebook.
test-python:
    bash scripts/test-python.sh

# Build the wheel into target/wheels (installs maturin if missing).
build-python:
    bash scripts/build-python.sh

# (also runs packages/js/test, which checks @ratecard/node and @ratecard/wasm side by side)
# Node addon: build into packages/node, vectors, errors, ratecard-check, generated-file drift.
test-node:
    bash scripts/test-node.sh

# Every code snippet of the READMEs run, and what it prints compared with what the README
# claims (`→` comments); needs the packages and the Python venv the suites above build.
test-docs:
    python3 scripts/test-snippets.py --python target/python/venv/bin/python

# Build @ratecard/node into packages/node.
build-node:
    bash scripts/build-node.sh

# Benchmarks are not part of `just test`; BENCHMARKS.md records them.
# Criterion benchmarks of the Rust core and of the tape the JavaScript faces use.
bench-core:
    cargo bench -p ratecard --bench quote
    cargo bench -p ratecard-js-host --bench tape

# @ratecard/wasm against a hand-rolled decimal.js quoter.
bench-wasm:
    bash scripts/bench-wasm.sh

# The wheel against a pure-Python decimal quoter.
bench-python:
    bash scripts/bench-python.sh

# quote_frame from pandas, across threads, on Dask and on Spark local[2].
bench-distributed:
    bash scripts/bench-distributed.sh

# @ratecard/node against decimal.js and @ratecard/wasm.
bench-node:
    bash scripts/build-node.sh && node --expose-gc scripts/bench-node.mjs

# The wallet operations against a quote, in Rust, both JavaScript packages and Python.
bench-wallet:
    cargo bench -p ratecard --bench wallet
    bash scripts/build-node.sh && node --expose-gc scripts/bench-wallet.mjs
    bash scripts/build-python.sh && target/python/venv/bin/pip install -q --force-reinstall --no-deps target/wheels/ratecard-*.whl
    target/python/venv/bin/python scripts/bench-wallet.py

# Every benchmark.
bench: bench-core bench-wasm bench-python bench-node

# Fuzz with cargo-fuzz (nightly; not in CI), SECONDS per target: parse_validate_quote looks for
# panics on any input (seeded with corpus/ and the bundled examples), exact_reference compares
# every amount with an exact rational model.
fuzz SECONDS="60":
    command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
    cd core/fuzz && cargo +nightly fuzz run parse_validate_quote corpus/parse_validate_quote ../../examples -- -max_total_time={{SECONDS}}
    cd core/fuzz && cargo +nightly fuzz run exact_reference -- -max_total_time={{SECONDS}}

# The exact-reference property tests at length (stable Rust): CASES random catalogs and batches,
# and as many conversions, priced by the engine and by an exact rational model, every amount
# compared. `just test` runs 2,048 of each.
reference CASES="1000000":
    PROPTEST_CASES={{CASES}} cargo test --release -p ratecard --test exact_reference -- quotes_match_the_reference conversions_match_the_reference
