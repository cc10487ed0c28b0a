#!/usr/bin/env bash
# Instructions per call of the core's quote scenarios (core/examples/quote_loop.rs) under
# callgrind, for this checkout and, given a git revision, for that revision too (built in a
# temporary worktree with the same example), as a Markdown table. Instruction counts repeat
# exactly run to run, whatever the machine's load, so two revisions compare within 1%.
#
#   bash scripts/bench-instructions.sh [REV]        # e.g. REV=main~5
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 2; }
scenarios=(unit video package tiered video_usd video_img video_explain convert convert_assets preview parse)
n=20000
build() { (cd "$1" && cargo build --quiet --release -p ratecard --example quote_loop --target-dir "$2"); }
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$1" "$2" "$3" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
per_call() { local a b; a=$(count "$1" "$2" 0); b=$(count "$1" "$2" "$n"); echo $(( (b - a) / n )); }
bins=("$root/target/release/examples/quote_loop")
build "$root" "$root/target"
header="| scenario | this checkout |"
rule="|---|---|"
if [[ $# -ge 1 ]]; then
    work="$(mktemp -d)"
    trap 'git -C "$root" worktree remove --force "$work/tree" >/dev/null 2>&1; rm -rf "$work"' EXIT
    git worktree add --detach "$work/tree" "$1" >/dev/null 2>&1
    mkdir -p "$work/tree/core/examples" "$work/tree/core/benches"
    cp core/examples/quote_loop.rs "$work/tree/core/examples/"
    cp core/benches/catalog.json "$work/tree/core/benches/"
    build "$work/tree" "$root/target/bench-rev"
    bins+=("$root/target/bench-rev/release/examples/quote_loop")
    header="| scenario | $1 | this checkout | change |"
    rule="|---|---|---|---|"
fi
echo "$header"
echo "$rule"
for s in "${scenarios[@]}"; do
    now=$(per_call "${bins[0]}" "$s")
    if [[ ${#bins[@]} -gt 1 ]]; then
        before=$(per_call "${bins[1]}" "$s")
        echo "| $s | $before | $now | $(awk "BEGIN{printf \"%+.1f%%\", ($now-$before)*100/$before}") |"
    else
        echo "| $s | $now |"
    fi
done
