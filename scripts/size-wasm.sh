#!/usr/bin/env bash
# Where the bytes of @ratecard/wasm's module go: builds it (scripts/build-wasm.sh, same env), then
# optimizes the same wasm-bindgen output with the same wasm-opt passes but keeping the function
# names (-g), and prints twiggy's view of it: the module's size, a table by origin, the largest
# items. The figures in BENCHMARKS.md ("where the bytes go") come from this.
#
#   bash scripts/size-wasm.sh            # build + profile
#   SIZE_TOP=60 bash scripts/size-wasm.sh
#
# Needs twiggy (`cargo install twiggy --locked`; installed here when missing). Sizes by origin
# follow the function names, so code that LTO inlined into a caller counts for the caller's crate
# (most of serde's deserializers sit inside the core's functions, for instance).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
log() { echo "[size-wasm] $*" >&2; }

bash scripts/build-wasm.sh >&2
# shellcheck source=scripts/wasm-env.sh
source scripts/wasm-env.sh
command -v twiggy >/dev/null 2>&1 || { log "cargo install twiggy --locked"; cargo install twiggy --locked -j "${CARGO_BUILD_JOBS:-2}" >&2; }

level="${WASM_OPT_LEVEL:-z}"
out="$RATECARD_WASM_TARGET_DIR/$RATECARD_WASM_TARGET/wasm/ratecard_wasm.wasm"
final=packages/wasm/pkg/ratecard_wasm_bg.wasm
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$work" --out-name ratecard_wasm "$out"
passes=("-O$level")
[[ "$level" == z || "$level" == s ]] && passes=(--flatten --rereloop "-O$level" "-O$level")
# shellcheck disable=SC2086
$RATECARD_WASM_OPT $RATECARD_WASM_OPT_FLAGS "${passes[@]}" -g --strip-producers \
    -o "$work/named.wasm" "$work/ratecard_wasm_bg.wasm" </dev/null

raw=$(wc -c <"$final")
gz=$(gzip -9 -c "$final" | wc -c)
echo "module: $final, $raw bytes raw ($(awk "BEGIN{printf \"%.1f\", $raw/1024}") KB), $gz gzipped ($(awk "BEGIN{printf \"%.1f\", $gz/1024}") KB, gzip -9)"
echo
twiggy top -n 100000 -f csv "$work/named.wasm" >"$work/top.csv"
python3 - "$work/top.csv" <<'EOF'
import csv, re, sys
rows = list(csv.DictReader(open(sys.argv[1])))
STD = "std (fmt, str, alloc, collections, allocator)"
GLUE = "wasm glue (ratecard_wasm, wasm-bindgen)"
groups = {
    "ratecard": "core (ratecard crate)",
    "ratecard_wasm": GLUE,
    "wasm_bindgen": GLUE,
    "serde_json": "serde_json (incl. its exact float reading)",
    "zmij": "serde_json (incl. its exact float reading)",
    "serde_core": "serde",
    "serde": "serde",
    "rust_decimal": "rust_decimal",
    "time": "time",
    "unicode_segmentation": "unicode-segmentation",
}
for c in ("core", "alloc", "std", "dlmalloc", "hashbrown", "compiler_builtins", "f64", "str",
          "char", "u8", "u16", "u32", "u64", "i32", "i64", "usize", "isize", "T", "bool"):
    groups[c] = STD


def origin(name):
    if name.startswith("data segment") or name.startswith('"data'):
        return "data (strings, tables)"
    if re.search(r"multivalue shim|^rawengine_|^validate|^version|wbindgen|^export ", name):
        return GLUE
    n = re.sub(r"\[[0-9a-f]+\]", "", name)
    m = re.match(r"^[<&\s]*(?:mut\s+)?(?:dyn\s+)?\(?([A-Za-z_][A-Za-z0-9_]*)", n)
    if m and m.group(1) in groups:
        return groups[m.group(1)]
    if n.startswith("__"):
        return STD
    return "other (types, elements, unnamed)"


sums = {}
for r in rows:
    name, size = r["Name"], int(r["ShallowSize"])
    if "function names" in name or "custom section" in name:
        continue
    g = origin(name)
    sums[g] = sums.get(g, 0) + size
total = sum(sums.values())
print("| origin (by function name) | bytes | share |")
print("|---|---|---|")
for g, v in sorted(sums.items(), key=lambda kv: -kv[1]):
    print(f"| {g} | {v:,} | {100 * v / total:.1f}% |")
print(f"| total (without the name section) | {total:,} | |")
if "--others" in sys.argv:
    for r in rows:
        if origin(r["Name"]) == "other (types, elements, unnamed)" and int(r["ShallowSize"]) > 100:
            print(r["ShallowSize"], r["Name"][:120])
EOF
echo
twiggy top -n "${SIZE_TOP:-25}" "$work/named.wasm" | sed 's/\[[0-9a-f]\{16\}\]//g'
