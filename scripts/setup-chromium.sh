#!/usr/bin/env bash
# Install Debian's Chromium (/usr/bin/chromium) for headless browser tests
# (driven by playwright-core with executablePath '/usr/bin/chromium'; `npx playwright install`
# cannot download browsers here).
#
# Idempotent: apt is skipped when /usr/bin/chromium exists. A short headless smoke test
# runs every time (about a second); SKIP_SMOKE=1 skips it.
#
# Flags that work on these machines, as root, with no network (see docs/building.md):
#   --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
#   --disable-background-networking --disable-component-update --disable-sync
#   --user-data-dir=<fresh empty dir>
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
CHROMIUM=/usr/bin/chromium

log() { echo "[setup-chromium] $*"; }
die() { echo "[setup-chromium] ERROR: $*" >&2; exit 1; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }

if [[ -x "$CHROMIUM" ]]; then
    log "already installed: $("$CHROMIUM" --version 2>/dev/null) -- skipping apt"
else
    log "installing chromium with apt-get"
    as_root apt-get update -q
    as_root apt-get install -y -q --no-install-recommends chromium
    [[ -x "$CHROMIUM" ]] || die "$CHROMIUM missing after apt-get install chromium"
    log "installed: $("$CHROMIUM" --version 2>/dev/null)"
fi

if [[ "${SKIP_SMOKE:-0}" != 1 ]]; then
    profile="$(mktemp -d /tmp/chromium-profile.XXXXXX)"
    trap 'rm -rf "$profile"' EXIT
    out="$(timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" \
        --dump-dom 'data:text/html,<title>t</title><p id=x>ratecard-ok</p>' 2>/dev/null </dev/null)" \
        || die "headless chromium smoke test failed"
    [[ "$out" == *ratecard-ok* ]] || die "headless chromium did not render the test page: $out"
    log "headless smoke test ok (--dump-dom rendered a data: page)"
fi
