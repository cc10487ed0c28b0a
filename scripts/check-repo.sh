#!/usr/bin/env bash
# The repository stands alone (run by `just check`): no build output committed, no file
# committed twice, and nothing that points readers at files outside the repository (an
# earlier planning folder beside it, `../shared`, that users and maintainers never get).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
fail=0
built=$(git ls-files | grep -E '(^|/)(target|node_modules|__pycache__|dist|pkg)/|\.(node|pyc|whl|tgz)$' || true)
if [[ -n "$built" ]]; then
    echo "[check-repo] build output is committed (remove it and ignore it):" >&2
    echo "$built" | head -20 >&2
    fail=1
fi
twice=$(git ls-files -z | xargs -0 sha1sum | sort | awk '{ if ($1 == last) { print prev; print $2 } last = $1; prev = $2 }' | sort -u)
if [[ -n "$twice" ]]; then
    echo "[check-repo] files committed twice with the same content (keep one; generate or point at it):" >&2
    echo "$twice" >&2
    fail=1
fi
outside=$(git grep -lE '(\.\./)+shared/|shared/(design|reference|examples|hooks)/' -- ':!*.lock' ':!scripts/check-repo.sh' || true)
if [[ -n "$outside" ]]; then
    echo "[check-repo] files point at ../shared, which is not part of the repository:" >&2
    echo "$outside" >&2
    fail=1
fi
[[ $fail -eq 0 ]] && echo "[check-repo] the repository stands alone"
exit $fail
